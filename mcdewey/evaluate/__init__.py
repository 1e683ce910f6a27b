"""Score indexes against labeled queries: query sets, span resolution, metrics, reports."""

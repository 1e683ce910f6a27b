"""Generate a small two-version manual with known changes between the versions.

`build_versioned(root)` writes it and returns root. Layout:

    sipco/proxy/1.0/cookbook/core.md      six sections
    sipco/proxy/2.0/cookbook/core.md      the same manual one release later (see CHANGES)
    sipco/proxy/2.0/onepage/manual.md     2.0 once more as one long page (a second rendering, same text)
    sipco/registrar/3.1/guide/reg.md      another product, in two versions ...
    sipco/registrar/latest/guide/reg.md   ... the newest named `latest`

Sections are long enough (and the chunker's chunks small enough) that each is one chunk of its own.
"""

from __future__ import annotations

from pathlib import Path

PARAS = {
    "TLS": ("To enable TLS for SIP load the tls module and set enable_tls to yes in the core settings. "
            "The proxy then listens for secure connections on port 5061 with the certificate of the server."),
    "Timers": ("The transaction timer fr_timer defaults to 240 seconds on every proxy instance. Raise it when "
               "remote gateways answer slowly and calls fail before the final response arrives."),
    "Logging": ("The log_level parameter sets how much the proxy writes to syslog. Level two is enough for "
                "production systems, level three shows every request and reply for debugging."),
    "XMLRPC": ("The legacy xmlrpc interface accepts management commands over HTTP on port 8080. It was "
               "replaced by the json interface and should be disabled on systems facing the internet."),
    "Routing": ("Request routes are written in the routing script. Each route block handles one kind of "
                "request and may call other blocks to share the steps that every request needs."),
    "Memory": ("Shared memory is set with the -m option at start time. Each worker process also keeps a "
               "small private memory pool for parsing the messages it receives from the network."),
}
# 2.0: one default changed, one section removed, one added; the other sections identical.
V2 = dict(PARAS)
V2["Timers"] = PARAS["Timers"].replace("240 seconds", "90 seconds")
del V2["XMLRPC"]
V2["WebSocket"] = ("WebSocket clients connect through the websocket module on port 8443. Browsers then "
                   "register like any other SIP client, and the proxy relays their calls to the network.")

CHANGES = {"same": ["TLS", "Logging", "Routing", "Memory"], "changed": ["Timers"], "removed": ["XMLRPC"],
           "added": ["WebSocket"]}
REGISTRAR = ("Registrations expire after 3600 seconds unless the client asks for less. The registrar keeps "
             "contacts in memory and writes them to the database every minute.")
REGISTRAR_LATEST = REGISTRAR.replace("3600 seconds", "1800 seconds")
# Chunker parameters that keep each section one chunk.
PARAMS = {"max_tokens": 64, "min_tokens": 4}


def manual(title: str, sections: dict[str, str], intro: str = "") -> str:
    intro = intro or (f"This is the {title}. It explains how the proxy is configured and run, one topic a "
                      "section, with the settings each topic needs and the values they take by default.")
    return f"# {title}\n\n{intro}\n\n" + "".join(f"## {name}\n\n{text}\n\n" for name, text in sections.items())


def build_versioned(root: Path) -> Path:
    """Write the versioned library below `root` and return it."""
    root = Path(root)
    onepage = dict(V2)
    onepage["Appendix"] = ("This one-page edition holds every chapter of the proxy cookbook for printing. Chapter "
                           "pages of the same text are easier to link to; search shows them first.")
    onepage["Glossary"] = ("A proxy forwards requests; a registrar stores contacts; a gateway connects the SIP "
                           "network to the telephone network. Each term is used in its SIP meaning.")
    files = {
        "sipco/proxy/1.0/cookbook/core.md": manual("Core Cookbook", PARAS),
        "sipco/proxy/2.0/cookbook/core.md": manual("Core Cookbook", V2),
        "sipco/proxy/2.0/onepage/manual.md": manual("Proxy manual (one page)", onepage),
        "sipco/registrar/3.1/guide/reg.md": manual("Registrar guide", {"Expiry": REGISTRAR}, "Registrar basics."),
        "sipco/registrar/latest/guide/reg.md": manual("Registrar guide", {"Expiry": REGISTRAR_LATEST},
                                                      "Registrar basics."),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root

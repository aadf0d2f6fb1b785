"""Version of nengo-lmu, and the nengo versions it supports."""

name = "nengo-lmu"
version_info = (0, 1, 0)
dev = 0
version = ".".join(str(v) for v in version_info) + (
    f".dev{dev}" if dev is not None else ""
)

# the core is tested on nengo 3.2 (the pinned stack) and 4.1 (the core stack);
# nengo-dl 3.6 and nengo-loihi 1.1 support nengo 3.2 and nothing newer
minimum_nengo_version = (3, 2, 0)
latest_nengo_version = (4, 1, 99)

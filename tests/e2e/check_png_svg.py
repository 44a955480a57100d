"""Check a kvmbus screenshot and MMIO-map SVG: usage PNG SVG LOG."""
import re
import struct
import sys
import xml.etree.ElementTree as ET

png, svg, log = sys.argv[1:4]
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
assert data[12:16] == b"IHDR", "no IHDR chunk"
w, h = struct.unpack(">II", data[16:24])
m = re.search(r"screenshot (\d+)x(\d+) written", open(log).read())
assert m, "kvmbus did not report the screenshot size"
assert (w, h) == (int(m.group(1)), int(m.group(2))), f"PNG is {w}x{h}, mode was {m.groups()}"
root = ET.parse(svg).getroot()
assert root.tag.endswith("svg"), root.tag
text = open(svg).read()
assert "vpci0" in text and "synthvid" in text, "SVG lacks the owners"
print(f"PNG {w}x{h}, SVG parses")

"""Small helpers shared by nengo-lmu's modules; they import nothing above them."""

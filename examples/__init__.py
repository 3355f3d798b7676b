"""User-style designs with DUT files, shipped as package data (fp4ref.paths.data("examples")):
`fp4ref dut examples` runs them."""

"""fp4ref's format engine: number formats as data and their integer-exact codecs.

Public API (everything else in emu/ is internal):
  get_format, list_formats, FloatFormat, Flag,
  encode, decode, decode_int, int_map, pack_x2, unpack_x2, to_ml_dtypes, from_ml_dtypes.
The contract is docs/encoding.md.
"""
from .decode import decode, decode_int
from .encode import encode
from .flags import Flag
from .intmap import int_map
from .pack import from_ml_dtypes, pack_x2, to_ml_dtypes, unpack_x2
from .registry import get_format, list_formats
from .spec import FloatFormat

__all__ = ["get_format", "list_formats", "FloatFormat", "Flag", "encode", "decode", "decode_int",
           "int_map", "pack_x2", "unpack_x2", "to_ml_dtypes", "from_ml_dtypes"]

"""`make contract`: compare the service's contract with the last released one.

The comparison lives in `serve/contract.py`; this entry point runs it from outside the `serve`
package, whose `__init__` already imports it (`python -m ….serve.contract` ran the module twice
and printed runpy's warning about it in every `make check`).
"""

import sys

from ..serve.contract import main
from .process import exit_process

if __name__ == "__main__":
    exit_process(main(sys.argv[1:]))

"""Runnable jobs (`python -m <package>.jobs.<job>`), each wired from a file in `confs/`."""

# coding=utf-8
"""
A Diamond handler that writes each metric as a Graphite plaintext line into the FIFO that
Tantale's diamond input reads (plugins/input/diamond/README.md). Diamond ships no FIFO
handler; this one is small on purpose:

- one os.write() per metric, far below PIPE_BUF (4096 bytes): lines of concurrent writers
  never interleave;
- the FIFO is opened O_WRONLY|O_NONBLOCK: with no reader (Tantale stopped) the open fails
  with ENXIO instead of hanging Diamond; it is retried at the next metric;
- a full pipe (EAGAIN: Tantale paused or behind) drops that metric, counted, and keeps the
  pipe open; any other write error closes it, to be reopened at the next metric;
- Tantale creates the FIFO (its `path` and `mode` options); this handler never creates or
  replaces a file.

Install: copy this file into a folder listed in Diamond's `handlers_path`, then in
diamond.conf: `handlers = tantale_fifo.TantaleFifoHandler` and a `[[TantaleFifoHandler]]`
section with `fifo_path = <Tantale's data dir>/diamond.fifo`.
"""

import errno
import os

from diamond.handler.Handler import Handler


class TantaleFifoHandler(Handler):
    def __init__(self, config=None):
        Handler.__init__(self, config)
        self.fifo_path = self.config['fifo_path']
        self.fd = None
        self.dropped = 0

    def get_default_config_help(self):
        config = super(TantaleFifoHandler, self).get_default_config_help()
        config.update({'fifo_path': "The FIFO Tantale's diamond input reads (its data dir and `path`)"})
        return config

    def get_default_config(self):
        config = super(TantaleFifoHandler, self).get_default_config()
        config.update({'fifo_path': '/var/lib/tantale/diamond.fifo'})
        return config

    def _open(self):
        try:
            self.fd = os.open(self.fifo_path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            self.fd = None
            self._throttle_error('TantaleFifoHandler: cannot open %s: %s' % (self.fifo_path, e))

    def process(self, metric):
        if self.fd is None:
            self._open()
            if self.fd is None:
                return
        line = str(metric)
        if not line.endswith('\n'):
            line += '\n'
        try:
            os.write(self.fd, line.encode('utf-8'))
        except OSError as e:
            self.dropped += 1
            if e.errno == errno.EAGAIN:
                self._throttle_error('TantaleFifoHandler: %s is full, %d metric(s) dropped so far' % (self.fifo_path, self.dropped))
                return
            self._throttle_error('TantaleFifoHandler: writing to %s failed: %s' % (self.fifo_path, e))
            self._close()

    def _close(self):
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None

    def __del__(self):
        self._close()

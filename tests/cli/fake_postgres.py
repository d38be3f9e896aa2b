"""A server that speaks just enough of PostgreSQL's protocol to demand a password.

The test cluster trusts every local login, so "this server needs a password" cannot be
arranged there; this one asks every client for a password (as ``md5``/``scram`` servers do)
and refuses whatever it gets, so libpq fails exactly as it does against a real one.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CLEARTEXT_PASSWORD = 3


class PasswordDemandingServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.connections = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> PasswordDemandingServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stopping = True
        # A blocking accept() does not notice close(); a connection of our own wakes it.
        socket.create_connection(("127.0.0.1", self.port)).close()
        self._thread.join(10)
        self._listener.close()

    def _serve(self) -> None:
        while True:
            connection, _ = self._listener.accept()
            if self._stopping:
                connection.close()
                return
            self.connections += 1
            with connection, contextlib.suppress(OSError):  # the client hung up first
                self._greet(connection)

    def _greet(self, connection: socket.socket) -> None:
        while True:  # SSL and GSS encryption requests are declined, then the startup packet
            (length,) = struct.unpack("!i", _read(connection, 4))
            body = _read(connection, length - 4)
            (code,) = struct.unpack("!i", body[:4])
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                connection.sendall(b"N")
                continue
            break
        connection.sendall(b"R" + struct.pack("!ii", 8, CLEARTEXT_PASSWORD))
        tag = connection.recv(1)
        if tag == b"p":  # a password came: wrong, whatever it is
            (length,) = struct.unpack("!i", _read(connection, 4))
            _read(connection, length - 4)
            fields = b'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "ada"\0\0'
            connection.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)


def _read(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client hung up")
        data += chunk
    return data

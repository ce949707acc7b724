# Sourced by bench scripts: free_port prints a TCP port on 127.0.0.1 that
# nothing listens on, chosen by the kernel (a socket bound to port 0), not
# guessed. It is free when printed; a script binds it at once.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

package io.brizo.storage.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A deliberate fault injector: a raw HTTP/1.1 server on 127.0.0.1 that announces {@code
 * Content-Length: announced} but sends only {@code sent} bytes of body and then closes the
 * connection, as a storage server that dies mid-transfer would. No real server library can be
 * made to lie like this, which is why it is hand-written; it ignores Range and answers every
 * request the same way.
 */
final class LyingHttpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;
    private final int announced;
    private final int sent;

    LyingHttpServer(int announced, int sent) throws IOException {
        this.announced = announced;
        this.sent = sent;
        this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.acceptor = new Thread(this::acceptLoop, "lying-http-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                answer(client);
            } catch (IOException e) {
                // closed by close(), or the client went away: either way, next connection
            }
        }
    }

    private void answer(Socket client) throws IOException {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        if (requestLine == null) {
            return;
        }
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            // skip the request headers
        }
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\n"
                        + "Content-Type: application/octet-stream\r\n"
                        + "Content-Length: " + announced + "\r\n"
                        + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        if (!requestLine.startsWith("HEAD ")) {
            out.write(new byte[sent]);
        }
        out.flush();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join(5_000);
    }
}

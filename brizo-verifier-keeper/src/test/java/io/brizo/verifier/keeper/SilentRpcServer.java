package io.brizo.verifier.keeper;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberate fault injector: a "node" on 127.0.0.1 that accepts TCP connections, reads whatever
 * the client sends and never answers, to test that the verifier gives up after its timeout and
 * reports the chain as unavailable instead of hanging. No real node hangs on demand, so the tests
 * make one.
 *
 * <p>Requests are read (and dropped) so that the client's send completes and the wait is really
 * for the answer, i.e. a read timeout rather than a stuck write.
 */
public final class SilentRpcServer implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> connections = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private SilentRpcServer(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::acceptForever, "silent-rpc-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Opens the server on 127.0.0.1 and a free port. */
    public static SilentRpcServer start() throws IOException {
        SilentRpcServer silent = new SilentRpcServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        silent.acceptor.start();
        return silent;
    }

    /** {@return http://127.0.0.1:port of this server} */
    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** {@return how many connections were accepted so far (proves the client did connect)} */
    public int connectionsAccepted() {
        return accepted.get();
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return; // close() closed the server socket
            }
            synchronized (connections) {
                if (server.isClosed()) {
                    closeQuietly(socket);
                    return;
                }
                connections.add(socket);
            }
            accepted.incrementAndGet();
            Thread drain = new Thread(() -> drain(socket), "silent-rpc-drain-" + socket.getPort());
            drain.setDaemon(true);
            drain.start();
        }
    }

    private static void drain(Socket socket) {
        byte[] buffer = new byte[8192];
        try (InputStream in = socket.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // Read and dropped: the point is to never answer.
            }
        } catch (IOException closed) {
            // The client gave up or close() closed the socket.
        }
    }

    /** Closes the server and every connection it holds. */
    @Override
    public void close() throws IOException {
        server.close();
        synchronized (connections) {
            connections.forEach(SilentRpcServer::closeQuietly);
            connections.clear();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a test connection: nothing to do about a failure.
        }
    }
}

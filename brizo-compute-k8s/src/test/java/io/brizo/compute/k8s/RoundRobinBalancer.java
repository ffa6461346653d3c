package io.brizo.compute.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A TCP balancer on 127.0.0.1 that sends each new connection to the next of its backends in turn,
 * as a Kubernetes Service does across the ready pods of a Deployment (kube-proxy balances
 * connections, not requests): what the job pods reach through {@code BRIZO_PUBLIC_URL}. It counts
 * the connections each backend got.
 */
final class RoundRobinBalancer implements AutoCloseable {
    private final ServerSocket listener;
    /** Set once the servers exist: their settings name the balancer, so it starts first. */
    private volatile List<InetSocketAddress> backends = List.of();

    private final AtomicInteger next = new AtomicInteger();
    private final AtomicIntegerArray connections = new AtomicIntegerArray(16);
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "round-robin-balancer");
        t.setDaemon(true);
        return t;
    });

    RoundRobinBalancer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** {@return the balancer's base URL} */
    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Sends the next connections to these servers, in turn, starting with the first. */
    void backends(List<URI> servers) {
        next.set(0);
        backends = servers.stream()
                .map(u -> new InetSocketAddress(u.getHost(), u.getPort()))
                .toList();
    }

    /** {@return how many connections backend {@code index} got} */
    int connections(int index) {
        return connections.get(index);
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            List<InetSocketAddress> servers = backends;
            if (servers.isEmpty()) {
                closeQuietly(client);
                continue;
            }
            int i = Math.floorMod(next.getAndIncrement(), servers.size());
            connections.incrementAndGet(i);
            threads.execute(() -> relay(client, servers.get(i)));
        }
    }

    private void relay(Socket client, InetSocketAddress backend) {
        try (client;
                Socket server = new Socket(backend.getAddress(), backend.getPort())) {
            var upstream = threads.submit(() -> pipe(client, server));
            pipe(server, client);
            upstream.get();
        } catch (Exception e) {
            // The connection ends for the client as it would at a balancer whose backend went away.
        }
    }

    /** Copies until end of stream, then half-closes, so a request body's end reaches the server. */
    private static Void pipe(Socket from, Socket to) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // The other direction's end closed the sockets.
        }
        if (!to.isClosed()) {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // Already closed by the peer.
            }
        }
        return null;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing to do for a connection no server takes.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}

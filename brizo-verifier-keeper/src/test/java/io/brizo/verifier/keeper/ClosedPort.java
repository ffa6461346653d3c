package io.brizo.verifier.keeper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A deliberate fault injector for "node down": a port on 127.0.0.1 where nothing listens, so a
 * connection attempt is refused at once. No real node goes down on demand, so the tests make one.
 *
 * <p>The port is held by a bound socket that never listens nor connects: connecting to it is
 * refused, and while this object is open the system hands the port to no one else (a port merely
 * found free and released could be taken by another test's server in the meantime).
 */
public final class ClosedPort implements AutoCloseable {
    private final Socket holder;

    private ClosedPort(Socket holder) {
        this.holder = holder;
    }

    /** Reserves a free port on 127.0.0.1 without listening on it. */
    public static ClosedPort open() throws IOException {
        Socket holder = new Socket();
        try {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            holder.close();
            throw e;
        }
        return new ClosedPort(holder);
    }

    /** {@return the reserved port} */
    public int port() {
        return holder.getLocalPort();
    }

    /** {@return http://127.0.0.1:port, where every connection is refused} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        holder.close();
    }
}

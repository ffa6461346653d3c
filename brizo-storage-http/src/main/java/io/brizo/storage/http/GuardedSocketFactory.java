package io.brizo.storage.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sockets that check the exact address they are asked to connect to against an {@link
 * AddressPolicy} before connecting. This is the real SSRF guard of the HTTP driver: it sees the
 * address that is actually used, whether it came from DNS, an IP-literal host or a redirect, so
 * DNS rebinding and literal tricks ({@code http://[::ffff:127.0.0.1]/}) gain nothing. TLS works
 * unchanged because OkHttp layers its {@code SSLSocket} over the plain socket made here.
 */
final class GuardedSocketFactory extends SocketFactory {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedSocketFactory.class);

    private final AddressPolicy policy;

    GuardedSocketFactory(AddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    public Socket createSocket() {
        return new GuardedSocket(policy);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        connectOrClose(s, new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        connectOrClose(s, new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        connectOrClose(s, new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        connectOrClose(s, new InetSocketAddress(address, port));
        return s;
    }

    private static void connectOrClose(Socket s, SocketAddress address) throws IOException {
        try {
            s.connect(address);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A plain socket whose {@code connect} refuses addresses the policy does not allow. */
    static final class GuardedSocket extends Socket {
        private final AddressPolicy policy;

        GuardedSocket(AddressPolicy policy) {
            this.policy = policy;
        }

        @Override
        public void connect(SocketAddress endpoint) throws IOException {
            connect(endpoint, 0);
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            // An unresolved address would be resolved inside connect(), after this check; OkHttp
            // always passes resolved ones, so anything else is refused rather than trusted.
            InetAddress address =
                    endpoint instanceof InetSocketAddress isa && !isa.isUnresolved() ? isa.getAddress() : null;
            if (address == null || !policy.allows(address)) {
                LOG.debug(
                        "refusing a connection to {}",
                        address == null ? "an unresolved address" : address.getHostAddress());
                close();
                throw new AddressRefusal.RefusedConnectException();
            }
            super.connect(endpoint, timeout);
        }
    }
}

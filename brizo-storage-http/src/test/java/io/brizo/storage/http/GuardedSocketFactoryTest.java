package io.brizo.storage.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

class GuardedSocketFactoryTest {
    private static final SocketFactory DEFAULT = new GuardedSocketFactory(AddressPolicy.allowing(List.of()));

    @Test
    void refusedAddressIsNeverConnectedTo() throws Exception {
        for (String metadata : List.of("169.254.169.254", "fd00:ec2::254")) {
            Socket socket = DEFAULT.createSocket();
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(metadata), 80);
            IOException e = assertThrows(IOException.class, () -> socket.connect(target, 30_000));
            assertTrue(AddressRefusal.isRefusal(e), e.toString());
            // A socket that tried to connect has been bound to a local port by the kernel; this
            // one never was, so not even a SYN can have left the machine.
            assertFalse(socket.isBound(), "the socket was bound: a connection was attempted");
            assertFalse(socket.isConnected());
            assertTrue(socket.isClosed(), "a refused socket is closed at once");
        }
    }

    @Test
    void everyCreationMethodChecksTheAddress() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<ThrowingCall> calls = List.of(
                () -> DEFAULT.createSocket("127.0.0.1", 9),
                () -> DEFAULT.createSocket(loopback, 9),
                () -> DEFAULT.createSocket("127.0.0.1", 9, null, 0),
                () -> DEFAULT.createSocket(loopback, 9, null, 0),
                () -> DEFAULT.createSocket().connect(new InetSocketAddress(loopback, 9)));
        for (ThrowingCall call : calls) {
            IOException e = assertThrows(IOException.class, call::run);
            assertTrue(AddressRefusal.isRefusal(e), e.toString());
        }
    }

    @Test
    void unresolvedAddressIsRefusedRatherThanResolvedAfterTheCheck() throws Exception {
        SocketFactory open = new GuardedSocketFactory(AddressPolicy.allowing(List.of(Cidr.parse("0.0.0.0/0"))));
        Socket socket = open.createSocket();
        IOException e = assertThrows(
                IOException.class, () -> socket.connect(InetSocketAddress.createUnresolved("localhost", 9)));
        assertTrue(AddressRefusal.isRefusal(e));
        assertFalse(socket.isBound());
    }

    @Test
    void allowedAddressConnects() throws Exception {
        SocketFactory local = new GuardedSocketFactory(AddressPolicy.allowing(List.of(Cidr.parse("127.0.0.1/32"))));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                Socket socket = local.createSocket("127.0.0.1", server.getLocalPort());
                Socket accepted = server.accept()) {
            assertTrue(socket.isConnected());
            assertTrue(accepted.isConnected());
        }
    }

    @Test
    void refusalsAreFoundInCausesAndSuppressedExceptions() {
        IOException outer = new IOException("outer");
        IOException middle = new IOException("middle", new AddressRefusal.RefusedConnectException());
        outer.addSuppressed(middle);
        assertTrue(AddressRefusal.isRefusal(outer));
        assertTrue(AddressRefusal.isRefusal(new AddressRefusal.RefusedHostException()));
        assertFalse(AddressRefusal.isRefusal(new IOException("plain", new IOException("cause"))));
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws IOException;
    }
}

package io.brizo.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} will not send or will not show:
 * malformed or over-long requests, and responses cut off before their {@code Content-Length}.
 */
public final class RawHttp {
    /** How long a read may wait for the server. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private RawHttp() {}

    /**
     * What came back on a connection, up to the server's close.
     *
     * @param head the status line and header lines, without the blank line; empty if nothing came
     * @param body every byte after the blank line
     */
    public record Answer(String head, byte[] body) {
        /** Copies {@code body}. */
        public Answer {
            body = body.clone();
        }

        /** {@return the body, a copy} */
        @Override
        public byte[] body() {
            return body.clone();
        }

        /** {@return the status code of the status line, or -1 if no status line came} */
        public int status() {
            String[] line = head.split("\r\n", 2)[0].split(" ", 3);
            if (line.length < 2 || !line[0].startsWith("HTTP/")) {
                return -1;
            }
            try {
                return Integer.parseInt(line[1]);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** {@return the header fields, names in lower case, values in the order sent} */
        public Map<String, List<String>> headers() {
            Map<String, List<String>> fields = new LinkedHashMap<>();
            List<String> lines = Arrays.asList(head.split("\r\n"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.computeIfAbsent(
                                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(line.substring(colon + 1).trim());
                }
            }
            return fields;
        }

        /** {@return the first value of the header field {@code name}, compared ignoring case} */
        public Optional<String> header(String name) {
            return headers().getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream()
                    .findFirst();
        }

        /** {@return the head, a blank line and the body as ISO-8859-1 text, for failure messages} */
        @Override
        public String toString() {
            return head + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Sends {@code request} as it is (ISO-8859-1) to the host and port of {@code server} on a new
     * connection and reads everything the server sends until it closes the connection; so ask for
     * {@code Connection: close}. A server may answer a request it refuses and close before it has
     * read all of it: a write cut short that way, and a reset after the answer, are not errors
     * here; what came back counts.
     *
     * @throws IOException if the connection cannot be made, or the server neither answers nor
     *     closes within 10 s
     */
    public static Answer exchange(URI server, String request) throws IOException {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            try {
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (SocketException answeredEarly) {
                // The server stopped reading; its answer may be waiting.
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = socket.getInputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketException reset) {
                // A close with unread request bytes resets the connection: what came before counts.
            }
            byte[] all = received.toByteArray();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return new Answer(text, new byte[0]);
            }
            return new Answer(text.substring(0, end), Arrays.copyOfRange(all, end + 4, all.length));
        }
    }

    /**
     * Reads a response's status line and header lines from {@code in}, up to and including the
     * blank line, and no further.
     *
     * @return the head, with the line ends and the blank line
     * @throws IOException if the stream ends first
     */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int matched = 0;
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed in the response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}

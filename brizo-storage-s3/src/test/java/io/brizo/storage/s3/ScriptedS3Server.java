package io.brizo.storage.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP server on 127.0.0.1 that answers S3 requests from a script, for the failures a real S3
 * server does not produce on demand: throttling ({@code 503 SlowDown}, {@code 429}), server
 * errors, a body cut short, a wrong {@code Content-Range}, a range ignored. It speaks the S3
 * wire format (status, headers, XML error bodies) and records what it was asked. Everything a
 * real server can do is tested against S3Proxy instead.
 */
final class ScriptedS3Server implements AutoCloseable {
    /**
     * One scripted answer.
     *
     * @param status the HTTP status
     * @param headers response headers
     * @param body the bytes sent (never for HEAD)
     * @param declaredLength the Content-Length announced, which may differ from the body's
     */
    record Answer(int status, Map<String, String> headers, byte[] body, long declaredLength) {
        /** {@return an S3 error with an XML body} */
        static Answer error(int status, String code, String message) {
            byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
                            + message + "</Message><RequestId>scripted</RequestId></Error>")
                    .getBytes(StandardCharsets.UTF_8);
            return new Answer(status, Map.of("Content-Type", "application/xml"), xml, xml.length);
        }

        /** {@return a successful object answer} */
        static Answer object(int status, byte[] body, Map<String, String> extraHeaders) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/octet-stream");
            headers.put("ETag", "\"0123456789abcdef0123456789abcdef\"");
            headers.put("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT");
            headers.putAll(extraHeaders);
            return new Answer(status, headers, body, body.length);
        }

        /** {@return this answer announcing {@code length} bytes whatever its body holds} */
        Answer declaring(long length) {
            return new Answer(status, headers, body, length);
        }
    }

    /** What the server was asked: method, path and the Range header (or null). */
    record Request(String method, String path, String range) {}

    private final HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private Answer last;

    private ScriptedS3Server(HttpServer server) {
        this.server = server;
    }

    static ScriptedS3Server start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ScriptedS3Server s = new ScriptedS3Server(http);
        http.createContext("/", s::handle);
        http.start();
        return s;
    }

    /** Answers the next requests with {@code answers} in order, then repeats the last one. */
    synchronized void script(Answer... answers) {
        script.clear();
        requests.clear();
        script.addAll(List.of(answers));
        last = null;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        Answer a;
        synchronized (this) {
            requests.add(new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Range")));
            a = script.isEmpty() ? last : script.removeFirst();
            last = a;
        }
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (a == null) {
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.getResponseHeaders().set("x-amz-request-id", "scripted");
            if (exchange.getRequestMethod().equals("HEAD")) {
                // The JDK server sends no body for HEAD; the length is a header of its own.
                exchange.getResponseHeaders().set("Content-Length", Long.toString(a.declaredLength()));
                exchange.sendResponseHeaders(a.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(a.status(), a.declaredLength() == 0 ? -1 : a.declaredLength());
            OutputStream out = exchange.getResponseBody();
            out.write(a.body());
            out.flush();
            // A body shorter than announced: the server closes the connection at exchange end.
        } catch (IOException e) {
            // Expected when a body is cut short on purpose.
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

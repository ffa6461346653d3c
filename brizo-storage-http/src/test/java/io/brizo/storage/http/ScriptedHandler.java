package io.brizo.storage.http;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the paths registered with {@link #on} by a script of the test's own (misbehaving
 * servers: redirects, errors, ignored ranges); passes every other request to the next handler.
 */
final class ScriptedHandler extends Handler.Wrapper {
    /** One scripted answer. */
    @FunctionalInterface
    interface Script {
        boolean handle(Request request, Response response, Callback callback) throws Exception;
    }

    private final Map<String, Script> scripts = new ConcurrentHashMap<>();

    ScriptedHandler(Handler next) {
        super(next);
    }

    /** Answers {@code path} with {@code script}. */
    ScriptedHandler on(String path, Script script) {
        scripts.put(path, script);
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Script script = scripts.get(Request.getPathInContext(request));
        return script != null ? script.handle(request, response, callback) : super.handle(request, response, callback);
    }

    /** {@return a script that redirects with 302 to {@code location}} */
    static Script redirect(String location) {
        return (request, response, callback) -> {
            response.setStatus(302);
            response.getHeaders().put(HttpHeader.LOCATION, location);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            callback.succeeded();
            return true;
        };
    }

    /** {@return a script that answers {@code status} with a short text body} */
    static Script status(int status) {
        return (request, response, callback) -> {
            response.setStatus(status);
            send(request, response, callback, "scripted failure".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return true;
        };
    }

    /** Sends {@code body} with its Content-Length, or only the headers for HEAD. */
    static void send(Request request, Response response, Callback callback, byte[] body) {
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (request.getMethod().equals("HEAD")) {
            callback.succeeded();
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }
}

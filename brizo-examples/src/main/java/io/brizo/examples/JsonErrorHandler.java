package io.brizo.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the errors Jetty raises itself, before the API sees a request (a malformed request line,
 * URI or Content-Length, a URI or header section over the limits), as the API answers its own:
 * JSON {@code {"error": "<kind>", "message": "..."}}. The message is fixed per status: Jetty's own
 * text may name Java classes or echo the request, so it is never passed on.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = json(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(json(status));
    }

    private static byte[] json(int status) {
        String kind;
        String message;
        switch (status) {
            case 400 -> {
                kind = "INVALID_REQUEST";
                message = "the request is malformed";
            }
            case 404 -> {
                kind = "NOT_FOUND";
                message = "no such route; see GET / for the endpoints";
            }
            case 408 -> {
                kind = "REQUEST_TIMEOUT";
                message = "the request was not received in time";
            }
            case 413 -> {
                kind = "PAYLOAD_TOO_LARGE";
                message = "the request body is too large";
            }
            case 414 -> {
                kind = "URI_TOO_LONG";
                message = "the request target is too long; send the parameters as a JSON body";
            }
            case 431 -> {
                kind = "HEADERS_TOO_LARGE";
                message = "the request headers are too large";
            }
            case 503 -> {
                kind = "UNAVAILABLE";
                message = "the service is unavailable; try again later";
            }
            default -> {
                kind = status >= 500 ? "INTERNAL" : "INVALID_REQUEST";
                message = status >= 500 ? "internal error" : "the request cannot be served";
            }
        }
        return ("{\"error\":\"" + kind + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}

package io.brizo.spring.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.DefaultCorsProcessor;

/**
 * Spring's CORS checks, with a refusal written as the API writes its errors (JSON with a kind and
 * a message) instead of Spring's plain-text "Invalid CORS request".
 */
final class JsonCorsProcessor extends DefaultCorsProcessor {
    private static final byte[] REFUSED = ("{\"error\":\"FORBIDDEN\",\"message\":\"this origin, method or header is"
                    + " not allowed by the publisher's CORS policy (brizo.http.cors.*)\"}")
            .getBytes(StandardCharsets.UTF_8);

    @Override
    protected void rejectRequest(ServerHttpResponse response) throws IOException {
        response.setStatusCode(HttpStatus.FORBIDDEN);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(REFUSED.length);
        response.getBody().write(REFUSED);
        response.flush();
    }
}

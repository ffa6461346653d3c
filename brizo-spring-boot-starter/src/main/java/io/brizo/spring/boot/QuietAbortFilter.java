package io.brizo.spring.boot;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the application's error page away from the API's requests. When storage fails midway, the
 * servlet binding aborts the download by throwing from its write callback (the library logs one
 * WARN); the container then dispatches the request to the error page ({@code /error}), which would
 * log a stack trace and write an error body onto the download, after its bytes. Here, on that
 * error dispatch, nothing is written: the container closes the connection, and the consumer sees a
 * transfer short of its {@code Content-Length}, never a complete-looking file.
 *
 * <p>If an error reaches the error page before a response was committed (nothing the API does on
 * purpose), it is answered as the API answers errors: JSON, no detail.
 */
final class QuietAbortFilter extends HttpFilter {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final byte[] INTERNAL =
            "{\"error\":\"INTERNAL\",\"message\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getAttribute(MountedBrizoServlet.SERVED) == null) {
            chain.doFilter(request, response);
            return;
        }
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(500);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(INTERNAL.length);
        response.getOutputStream().write(INTERNAL);
    }
}

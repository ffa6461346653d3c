package io.brizo.examples;

import io.brizo.http.Routes;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per request on the slf4j logger {@code brizo.access}: method, path, status, body
 * bytes, duration and client address. Nothing that grants access is logged: the query keeps only
 * its parameter names (signatures, agreement ids and addresses are values), and the token of a
 * transfer or upload link, a capability in the path, becomes {@code {token}}.
 */
final class AccessLog implements RequestLog {
    static final String LOGGER = "brizo.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final int MAX_PATH = 256;
    private static final String[] CAPABILITY_PREFIXES = {Routes.COMPUTE_TRANSFER + "/", Routes.COMPUTE_UPLOAD + "/"};

    @Override
    public void log(Request request, Response response) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        long millis = NanoTime.millisSince(request.getBeginNanoTime());
        LOG.info(
                "{} {} {} {} {}ms {}",
                request.getMethod(),
                target(request.getHttpURI().getPath(), request.getHttpURI().getQuery()),
                response.getStatus(),
                Response.getContentBytesWritten(response),
                millis,
                Request.getRemoteAddr(request));
    }

    /**
     * {@return the path with capability tokens replaced, and the query's parameter names only}
     *
     * @param rawPath the path as sent (percent-encoded), or null
     * @param rawQuery the query as sent, or null
     */
    static String target(String rawPath, String rawQuery) {
        String path = rawPath == null ? "" : rawPath;
        for (String prefix : CAPABILITY_PREFIXES) {
            int at = path.indexOf(prefix);
            if (at >= 0) {
                int end = path.indexOf('/', at + prefix.length());
                path = path.substring(0, at + prefix.length()) + "{token}" + (end < 0 ? "" : path.substring(end));
            }
        }
        if (path.length() > MAX_PATH) {
            path = path.substring(0, MAX_PATH) + "...";
        }
        StringBuilder out = new StringBuilder(printable(path));
        if (rawQuery != null && !rawQuery.isEmpty()) {
            Set<String> names = new LinkedHashSet<>();
            for (String pair : rawQuery.split("[&;]")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (!name.isEmpty() && names.size() < 20) {
                    names.add(name.length() > 40 ? name.substring(0, 40) + "..." : name);
                }
            }
            out.append('?').append(printable(String.join("&", names)));
        }
        return out.toString();
    }

    /** Keeps a log line one line of printable ASCII, whatever the client sent. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c > 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}

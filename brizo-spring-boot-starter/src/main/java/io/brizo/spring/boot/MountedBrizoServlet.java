package io.brizo.spring.boot;

import io.brizo.http.BrizoHttpApi;
import io.brizo.http.Routes;
import io.brizo.servlet.BrizoServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Serial;
import java.util.regex.Pattern;

/**
 * The servlet binding mounted at {@code brizo.http.base-path}, as the original Brizo mounted its
 * routes: {@code {base-path}/services/consume} is the API's {@code
 * /api/v1/brizo/services/consume}, and {@code {base-path}/} is its {@code GET /}, the service
 * description, which would otherwise collide with the application's own root. The API's own
 * documentation keeps its paths under the base path: {@code {base-path}/spec} and {@code
 * {base-path}/api/v1/docs}.
 *
 * <p>Marks each request it serves, so the error dispatch that a container makes after an aborted
 * download can be told apart (see {@link QuietAbortFilter}).
 */
final class MountedBrizoServlet extends BrizoServlet {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The request attribute that marks a request this servlet served. */
    static final String SERVED = MountedBrizoServlet.class.getName() + ".SERVED";

    /** The path the API's own routes start with, that the base path stands for. */
    static final String API_ROOT = Routes.SERVICES.substring(0, Routes.SERVICES.lastIndexOf('/'));

    private static final Pattern BASE_PATH = Pattern.compile("(/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+");

    private final String basePath;

    MountedBrizoServlet(BrizoHttpApi api, String basePath) {
        super(api);
        this.basePath = basePath;
    }

    /**
     * {@return {@code basePath}, checked: one or more path segments without a trailing slash}
     *
     * @throws io.brizo.spi.BrizoException of kind CONFIGURATION saying how to write it
     */
    static String validBasePath(String basePath) {
        if (basePath == null || !BASE_PATH.matcher(basePath).matches()) {
            throw io.brizo.spi.BrizoException.configuration("brizo.http.base-path must be a path such as"
                    + " /api/v1/brizo: one or more segments, each after a slash, no trailing slash, no * or"
                    + " %-escapes");
        }
        return basePath;
    }

    /** {@return the servlet mapping that serves {@code basePath} and everything under it} */
    static String mapping(String basePath) {
        return basePath + "/*";
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setAttribute(SERVED, Boolean.TRUE);
        super.service(new ApiPathRequest(request, basePath), response);
    }

    /**
     * The request as the API sees it: mounted at the root of a context with no path, its path the
     * API's own. Everything else, async support included, is the container's request.
     */
    private static final class ApiPathRequest extends HttpServletRequestWrapper {
        private final String pathInfo;
        private final String requestUri;

        ApiPathRequest(HttpServletRequest request, String basePath) {
            super(request);
            String decoded = request.getPathInfo();
            String mount = request.getContextPath() + basePath;
            String uri = request.getRequestURI();
            // The raw (still percent-encoded) rest of the path, as the API wants it; the decoded
            // one where the raw URI does not start with the mount as configured.
            String raw = uri != null && uri.startsWith(mount) ? uri.substring(mount.length()) : decoded;
            if (decoded == null || decoded.equals("/") || raw == null || raw.isEmpty() || raw.equals("/")) {
                this.pathInfo = "/";
                this.requestUri = "/";
            } else if (isDocumentation(decoded)) {
                this.pathInfo = decoded;
                this.requestUri = raw;
            } else {
                this.pathInfo = API_ROOT + decoded;
                this.requestUri = API_ROOT + raw;
            }
        }

        private static boolean isDocumentation(String path) {
            return path.equals(Routes.SPEC) || path.equals(Routes.DOCS) || path.startsWith(Routes.DOCS + "/");
        }

        @Override
        public String getContextPath() {
            return "";
        }

        @Override
        public String getServletPath() {
            return "";
        }

        @Override
        public String getPathInfo() {
            return pathInfo;
        }

        @Override
        public String getRequestURI() {
            return requestUri;
        }
    }
}

package io.brizo.spring.boot;

import io.brizo.http.BrizoHttpApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's own {@code brizo.*} properties: whether it is on, where the API is mounted and its
 * CORS policy. Every other {@code brizo.*} property is one of the library's settings (see {@link
 * BrizoSettingNames}).
 */
@ConfigurationProperties("brizo")
public class BrizoProperties {
    /** Whether the starter builds the Brizo facade and mounts its HTTP API. */
    private boolean enabled = true;

    private final Http http = new Http();

    /** {@return whether the starter is on} */
    public boolean isEnabled() {
        return enabled;
    }

    /** Turns the starter on or off. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** {@return where and how the API is served} */
    public Http getHttp() {
        return http;
    }

    /** Where and how the HTTP API is served. */
    public static class Http {
        /**
         * Path under which the API's routes live, as in the original Brizo: consume is at
         * {base-path}/services/consume and {base-path}/ describes the service.
         */
        private String basePath = "/api/v1/brizo";

        private final Cors cors = new Cors();

        /** {@return the path the API is mounted under} */
        public String getBasePath() {
            return basePath;
        }

        /** Sets the path the API is mounted under. */
        public void setBasePath(String basePath) {
            this.basePath = basePath;
        }

        /** {@return the API's CORS policy} */
        public Cors getCors() {
            return cors;
        }
    }

    /** Cross-origin requests from browsers to the API; off while no origin is allowed. */
    public static class Cors {
        /**
         * Origins (scheme, host and port, e.g. https://app.example) that browsers may call the API
         * from, or * for any; empty = no CORS headers and no preflight answers.
         */
        private List<String> allowedOrigins = new ArrayList<>();

        /** Methods a cross-origin request may use. */
        private List<String> allowedMethods =
                new ArrayList<>(List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"));

        /** Request headers a cross-origin request may send. */
        private List<String> allowedHeaders =
                new ArrayList<>(List.of("Content-Type", "Range", "If-Range", "Authorization"));

        /**
         * Response headers a script of another origin may read; default: Content-Range,
         * Content-Disposition, Accept-Ranges, Content-Length, X-Log-Offset, X-Log-Next-Offset,
         * X-Log-Complete, Retry-After.
         */
        private List<String> exposedHeaders = new ArrayList<>(BrizoHttpApi.CORS_EXPOSED_HEADERS);

        /** Whether browsers may send cookies and credentials; the API itself authenticates by signature. */
        private boolean allowCredentials = false;

        /** How long browsers may cache a preflight answer. */
        private Duration maxAge = Duration.ofMinutes(10);

        /** {@return the allowed origins} */
        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        /** Sets the allowed origins. */
        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        /** {@return the allowed methods} */
        public List<String> getAllowedMethods() {
            return allowedMethods;
        }

        /** Sets the allowed methods. */
        public void setAllowedMethods(List<String> allowedMethods) {
            this.allowedMethods = allowedMethods;
        }

        /** {@return the allowed request headers} */
        public List<String> getAllowedHeaders() {
            return allowedHeaders;
        }

        /** Sets the allowed request headers. */
        public void setAllowedHeaders(List<String> allowedHeaders) {
            this.allowedHeaders = allowedHeaders;
        }

        /** {@return the response headers scripts may read} */
        public List<String> getExposedHeaders() {
            return exposedHeaders;
        }

        /** Sets the response headers scripts may read. */
        public void setExposedHeaders(List<String> exposedHeaders) {
            this.exposedHeaders = exposedHeaders;
        }

        /** {@return whether credentials are allowed} */
        public boolean isAllowCredentials() {
            return allowCredentials;
        }

        /** Sets whether credentials are allowed. */
        public void setAllowCredentials(boolean allowCredentials) {
            this.allowCredentials = allowCredentials;
        }

        /** {@return how long a preflight answer may be cached} */
        public Duration getMaxAge() {
            return maxAge;
        }

        /** Sets how long a preflight answer may be cached. */
        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }
    }
}

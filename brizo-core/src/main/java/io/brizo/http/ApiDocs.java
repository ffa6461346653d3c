package io.brizo.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.CoreSettings.DocsMode;
import io.brizo.internal.Version;
import io.brizo.internal.json.Json;
import io.brizo.internal.json.Yaml;
import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The API's documentation where the original Brizo served it: the OpenAPI document at {@link
 * Routes#SPEC} (a resource of this jar, JSON or YAML) and Swagger UI at {@link Routes#DOCS}, whose
 * files come from the {@code org.webjars:swagger-ui} jar when it is on the class path (an optional
 * dependency, so core needs nothing more). Everything is relative to where the API is mounted.
 */
final class ApiDocs {
    /** The OpenAPI document, a resource beside this class. */
    static final String DOCUMENT = "openapi.json";
    /** The page's own script, a resource beside this class: starts Swagger UI on the document. */
    static final String PAGE_SCRIPT = "brizo-docs.js";
    /** The files of Swagger UI the page uses, with their content types; nothing else is served. */
    static final Map<String, String> UI_FILES = Map.of(
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    /** Whether the client would rather read YAML: types that name it in {@code Accept}. */
    private static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml");
    /** Types in {@code Accept} that JSON satisfies. */
    private static final Set<String> JSON_TYPES = Set.of("application/json", "application/*", "*/*");
    /** A URL path as a base of the API may have: no query, no fragment, no spaces. */
    private static final Pattern BASE_PATH = Pattern.compile("(/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*");
    /**
     * The page and its scripts come from this server only; styles may be inline (Swagger UI sets
     * some), and "try it out" may call the document's servers, which can be another origin.
     */
    private static final String PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'"
            + " 'unsafe-inline'; connect-src 'self' http: https:; frame-ancestors 'none'; base-uri 'none';"
            + " form-action 'none'";

    private final DocsMode mode;
    private final String version;
    private final URI publicUrl;
    /** The folder of the Swagger UI webjar's files, or null if it is not on the class path. */
    private final String uiFolder;

    private final ClassLoader loader;
    /** The files served so far; bounded by the few names served. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    ApiDocs(DocsMode mode, String version, URI publicUrl, ClassLoader loader) {
        this.mode = mode;
        this.version = version;
        this.publicUrl = publicUrl;
        this.loader = loader;
        this.uiFolder = mode == DocsMode.ALL ? uiFolder(loader) : null;
    }

    /** {@return whether {@link Routes#SPEC} is served} */
    boolean servesSpec() {
        return mode != DocsMode.NONE;
    }

    /** {@return whether {@link Routes#DOCS} and its files are served} */
    boolean servesUi() {
        return mode == DocsMode.ALL;
    }

    /** {@return the folder of the webjar's files, version included, or null if it is absent} */
    private static String uiFolder(ClassLoader loader) {
        List<String> versions = new ArrayList<>();
        try (InputStream pom = loader.getResourceAsStream(WEBJAR_POM)) {
            if (pom != null) {
                Properties p = new Properties();
                p.load(pom);
                versions.add(p.getProperty("version", ""));
            }
        } catch (IOException e) {
            // Fall back to the version this library was built with.
        }
        versions.add(Version.swaggerUi());
        for (String v : versions) {
            String folder = WEBJAR + v + "/";
            if (!v.isBlank() && loader.getResource(folder + "swagger-ui-bundle.js") != null) {
                return folder;
            }
        }
        return null;
    }

    // ---- the document ----------------------------------------------------------------------

    /** The document as shipped, read once. */
    private static final class Document {
        static final JsonNode TREE = read();

        private static JsonNode read() {
            try (InputStream in = ApiDocs.class.getResourceAsStream(DOCUMENT)) {
                if (in == null) {
                    throw new IllegalStateException("the OpenAPI document is missing from brizo-core's jar");
                }
                return Json.MAPPER.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Answers GET {@link Routes#SPEC}: the document, its servers and version set for this request. */
    HttpResponse spec(HttpRequest request) {
        boolean yaml = wantsYaml(request);
        ObjectNode doc = Document.TREE.deepCopy();
        ((ObjectNode) doc.get("info")).put("version", version);
        ArrayNode servers = doc.putArray("servers");
        for (Map.Entry<String, String> server : servers(request).entrySet()) {
            servers.addObject().put("url", server.getKey()).put("description", server.getValue());
        }
        List<Map.Entry<String, String>> vary = List.of(HttpResponse.header("Vary", "Accept"));
        if (yaml) {
            return HttpResponse.bytes(200, "application/yaml", Yaml.write(doc).getBytes(StandardCharsets.UTF_8), vary);
        }
        return HttpResponse.json(200, doc.toPrettyString(), vary);
    }

    /** {@return whether to answer YAML: {@code format} says, else the client's {@code Accept}} */
    private static boolean wantsYaml(HttpRequest request) {
        String format = request.rawQuery() == null
                ? null
                : BrizoHttpApi.queryParameters(request.rawQuery(), Set.of("format"))
                        .get("format");
        if (format != null) {
            return switch (format.trim().toLowerCase(Locale.ROOT)) {
                case "json" -> false;
                case "yaml" -> true;
                default -> throw BrizoException.invalid("format must be json or yaml");
            };
        }
        double yaml = 0;
        double json = 0;
        for (String range : request.header("Accept").orElse("").split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (YAML_TYPES.contains(type)) {
                yaml = Math.max(yaml, q);
            } else if (JSON_TYPES.contains(type)) {
                json = Math.max(json, q);
            }
        }
        return yaml > json;
    }

    /**
     * {@return the servers of the document for {@code request}, URL to description: the base URL
     * the request reached, then {@code BRIZO_PUBLIC_URL} if set and another; a relative {@code .}
     * (the document's own place) when neither is known}
     */
    private Map<String, String> servers(HttpRequest request) {
        Map<String, String> servers = new java.util.LinkedHashMap<>();
        String base = checkedBase(request.baseUrl());
        if (base != null) {
            servers.put(base, "this server, as this document was requested");
        }
        if (publicUrl != null) {
            String url = publicUrl.toString().replaceAll("/+$", "");
            servers.putIfAbsent(url, "this server's public URL (BRIZO_PUBLIC_URL)");
        }
        if (servers.isEmpty()) {
            servers.put(".", "where this document was requested");
        }
        return servers;
    }

    /**
     * {@return {@code base} without a trailing slash if it is an absolute http(s) URL with a host
     * and a plain path, else null} It comes from the request (its {@code Host}), so anything odd
     * is left out rather than written into the document.
     */
    static String checkedBase(String base) {
        if (base == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(base);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || !BASE_PATH.matcher(path).matches()) {
            return null;
        }
        return uri.toString().replaceAll("/+$", "");
    }

    // ---- Swagger UI ------------------------------------------------------------------------

    /**
     * Answers GET {@link Routes#DOCS}: a page that loads Swagger UI and points it at the document,
     * with paths relative to the page, so it works under any mount point and behind proxies.
     */
    HttpResponse page(HttpRequest request) {
        if (uiFolder == null) {
            throw BrizoException.notFound("Swagger UI is not on this server's class path: add the dependency"
                    + " org.webjars:swagger-ui (" + Version.swaggerUi() + ") to serve it here; the API"
                    + " document itself is at " + Routes.SPEC);
        }
        // The page at .../api/v1/docs takes its files from docs/ beside it; at .../api/v1/docs/
        // (a trailing slash) from its own folder.
        boolean folder = request.path().endsWith("/");
        String files = folder ? "" : "docs/";
        String spec = (folder ? "../../../" : "../../") + Routes.SPEC.substring(1);
        String html = "<!DOCTYPE html>\n"
                + "<html lang=\"en\">\n"
                + "<head>\n"
                + "<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>Brizo for Java API</title>\n"
                + "<link rel=\"stylesheet\" href=\"" + files + "swagger-ui.css\">\n"
                + "<link rel=\"icon\" type=\"image/png\" href=\"" + files + "favicon-32x32.png\" sizes=\"32x32\">\n"
                + "<link rel=\"icon\" type=\"image/png\" href=\"" + files + "favicon-16x16.png\" sizes=\"16x16\">\n"
                + "</head>\n"
                + "<body>\n"
                + "<div id=\"swagger-ui\"></div>\n"
                + "<noscript>Swagger UI needs JavaScript; the API document is at <a href=\"" + spec + "\">"
                + Routes.SPEC + "</a>.</noscript>\n"
                + "<script src=\"" + files + "swagger-ui-bundle.js\"></script>\n"
                + "<script src=\"" + files + PAGE_SCRIPT + "\" data-spec=\"" + spec + "\"></script>\n"
                + "</body>\n"
                + "</html>\n";
        return HttpResponse.bytes(
                200,
                "text/html; charset=utf-8",
                html.getBytes(StandardCharsets.UTF_8),
                List.of(
                        HttpResponse.header("X-Content-Type-Options", "nosniff"),
                        HttpResponse.header("Content-Security-Policy", PAGE_POLICY)));
    }

    /** Answers GET {@link Routes#DOCS}{@code /<name>}: one of the page's files. */
    HttpResponse file(String name) {
        String type;
        String resource;
        if (PAGE_SCRIPT.equals(name) && uiFolder != null) {
            type = "text/javascript; charset=utf-8";
            resource = ApiDocs.class.getPackageName().replace('.', '/') + "/" + PAGE_SCRIPT;
        } else if (UI_FILES.containsKey(name) && uiFolder != null) {
            type = UI_FILES.get(name);
            resource = uiFolder + name;
        } else {
            throw BrizoException.notFound("no such file of the API docs page");
        }
        byte[] content = files.computeIfAbsent(name, n -> read(resource));
        // The files change only with the webjar's version, so browsers may keep them a while.
        return HttpResponse.cached(
                200,
                type,
                content,
                List.of(
                        HttpResponse.header("Cache-Control", "public, max-age=3600"),
                        HttpResponse.header("X-Content-Type-Options", "nosniff")));
    }

    private byte[] read(String resource) {
        ClassLoader from = resource.startsWith(WEBJAR) ? loader : ApiDocs.class.getClassLoader();
        try (InputStream in = from.getResourceAsStream(resource)) {
            if (in == null) {
                throw BrizoException.notFound("no such file of the API docs page");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

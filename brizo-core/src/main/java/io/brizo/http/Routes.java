package io.brizo.http;

/**
 * The paths of the HTTP API, defined once: the original Brizo routes under {@link #SERVICES}, so
 * existing clients work, and the new ones beside them. A leaf: it depends on nothing, so the
 * parts of the library that must name a route (links that compute pods follow) can.
 */
public final class Routes {
    /** The base path of the original Brizo services. */
    public static final String SERVICES = "/api/v1/brizo/services";
    /** The consume route. */
    public static final String CONSUME = SERVICES + "/consume";
    /**
     * The original Brizo's publish route: {@code POST} with {@code documentId}, {@code signature},
     * {@code document} (the file list) and {@code publisherAddress} answers 201 with the file list
     * encrypted to the provider's key, as {@code 0x} hex text.
     */
    public static final String PUBLISH = SERVICES + "/publish";
    /** Ocean Provider's raw encrypt: {@code POST} a body, get it encrypted to the provider's key. */
    public static final String ENCRYPT = SERVICES + "/encrypt";
    /** The compute route: POST start, GET status, PUT stop, DELETE delete. */
    public static final String COMPUTE = SERVICES + "/compute";
    /** A job's log by byte offset, readable while it runs. */
    public static final String COMPUTE_LOGS = COMPUTE + "/logs";
    /** A job's output by index. */
    public static final String COMPUTE_RESULT = COMPUTE + "/result";
    /**
     * The signed receipt of an ended job (SUCCEEDED, FAILED, STOPPED): an in-toto statement of
     * what ran on which data and what it wrote, signed by the provider's key.
     */
    public static final String COMPUTE_RECEIPT = COMPUTE + "/receipt";
    /**
     * Single-use transfer links for compute pods: {@code GET <this>/<token>} streams the object
     * once; the token is the only credential.
     */
    public static final String COMPUTE_TRANSFER = COMPUTE + "/transfer";
    /**
     * Upload links for compute pods: {@code PUT <this>/<token>?name=<relative name>} with a
     * {@code Content-Length} writes one object under the link's prefix; the token is the only
     * credential.
     */
    public static final String COMPUTE_UPLOAD = COMPUTE + "/upload";
    /** The compute environments. */
    public static final String COMPUTE_ENVIRONMENTS = COMPUTE + "/environments";
    /**
     * The API's OpenAPI document: JSON, or YAML with {@code ?format=yaml} or {@code Accept:
     * application/yaml}; where the original Brizo served its spec.
     */
    public static final String SPEC = "/spec";
    /**
     * Swagger UI on {@link #SPEC}, where the original Brizo served it; its files are under {@code
     * <this>/<file>}.
     */
    public static final String DOCS = "/api/v1/docs";

    private Routes() {}
}

package io.brizo.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** How the servlet finds the raw part of the request URI below its mount point. */
class RawPathTest {
    @Test
    void rawSuffixKeepsPercentEncodingBelowTheMountPoint() {
        assertEquals("/a%20b/c", BrizoServlet.rawSuffix("/ctx/brizo/a%20b/c", "/a b/c"));
        assertEquals("/api/v1", BrizoServlet.rawSuffix("/api/v1", "/api/v1"));
        assertEquals("/", BrizoServlet.rawSuffix("/ctx/brizo/", "/"));
    }

    @Test
    void pathParametersInTheMountPointDoNotMatter() {
        assertEquals("/api", BrizoServlet.rawSuffix("/ctx;v=1/brizo/api", "/api"));
    }

    @Test
    void whereRawAndDecodedDisagreeTheDecodedPathIsUsed() {
        assertEquals("/a", BrizoServlet.rawSuffix("/ctx/brizo/a;p=1", "/a"));
        assertEquals("/a/b", BrizoServlet.rawSuffix("/b", "/a/b"));
        assertEquals("/x", BrizoServlet.rawSuffix(null, "/x"));
    }

    @Test
    void percentDecodingIsUtf8AndLeavesPlusAlone() {
        assertEquals("/é+x", BrizoServlet.percentDecode("/%C3%A9+x"));
        assertNull(BrizoServlet.percentDecode("/%G1"));
        assertNull(BrizoServlet.percentDecode("/%4"));
    }
}

package io.brizo.internal.compute.receipt;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 (JSON Canonicalization Scheme) over a Jackson tree: object members sorted by the
 * UTF-16 code units of their names, no white space, strings escaped as ECMAScript's {@code
 * JSON.stringify} does (only {@code "}, {@code \} and control characters; {@code \b \t \n \f \r}
 * in their short forms, the others as {@code \}{@code u00xx} with lowercase hex), UTF-8 bytes.
 *
 * <p>Only the subset that a receipt needs is accepted, so that no two implementations can
 * disagree: numbers must be integers within ECMAScript's safe range ({@code |n| <= 2^53 - 1}),
 * printed plainly; a floating-point number, a larger integer or a string holding a lone surrogate
 * is refused with {@link IllegalArgumentException}.
 */
public final class CanonicalJson {
    /** The largest integer ECMAScript numbers hold exactly, {@code 2^53 - 1}. */
    static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private CanonicalJson() {}

    /** {@return the canonical UTF-8 bytes of {@code node}} */
    public static byte[] bytes(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(node, sb);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@return the canonical form of {@code node}, as text} */
    public static String text(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(node, sb);
        return sb.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isBoolean()) {
            out.append(node.booleanValue() ? "true" : "false");
        } else if (node.isTextual()) {
            string(node.textValue(), out);
        } else if (node.isIntegralNumber()) {
            BigInteger n = node.bigIntegerValue();
            if (n.abs().compareTo(BigInteger.valueOf(MAX_SAFE_INTEGER)) > 0) {
                throw new IllegalArgumentException("an integer beyond 2^53 - 1 has no unambiguous canonical form");
            }
            out.append(n.toString());
        } else if (node.isNumber()) {
            throw new IllegalArgumentException("a number that is not an integer has no place in a receipt");
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(node.get(i), out);
            }
            out.append(']');
        } else if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
            node.fields().forEachRemaining(members::add);
            // String.compareTo compares UTF-16 code units, which is what RFC 8785 sorts by.
            members.sort(Map.Entry.comparingByKey());
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> m : members) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(m.getKey(), out);
                out.append(':');
                write(m.getValue(), out);
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("a " + node.getNodeType() + " node has no JSON form");
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException("a string holds a lone surrogate, which is not Unicode text");
                }
                out.append(c).append(s.charAt(++i));
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("a string holds a lone surrogate, which is not Unicode text");
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

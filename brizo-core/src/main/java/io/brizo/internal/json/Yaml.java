package io.brizo.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes a JSON tree as block-style YAML, so that core can offer YAML without a YAML library.
 * Every JSON document is YAML already; this one is for people to read: maps and lists as indented
 * blocks, strings plain where YAML reads them back as the same string, text of several lines as a
 * literal block ({@code |-}), and anything else double-quoted with JSON's escapes (which YAML's
 * double-quoted style shares).
 */
public final class Yaml {
    /**
     * Strings YAML reads back unchanged when written plain: they start with a letter, {@code _},
     * {@code /} or {@code $}, hold no character YAML gives a meaning in block context ({@code : #
     * [ ] { } &} and the like) and do not end with a space.
     */
    private static final Pattern PLAIN =
            Pattern.compile("[A-Za-z_/$]([A-Za-z0-9_./$ ()+,;'`-]*[A-Za-z0-9_./$()+,;'`-])?");
    /**
     * Text a literal block keeps as it is: two lines or more of printable characters, none ending
     * in a space, the first not starting with a space (that would need an indentation indicator)
     * and the last not empty ({@code |-} drops the final line break).
     */
    private static final Pattern LITERAL;

    static {
        String ch = "[^\\p{Cntrl}\\u2028\\u2029\\uFEFF]";
        String filled = ch + "*" + "[^\\p{Cntrl}\\u2028\\u2029\\uFEFF ]";
        LITERAL = Pattern.compile("(?=[^ \\n])(" + filled + "|)(\\n(" + filled + "|))*\\n" + filled);
    }

    /** Plain words that YAML 1.1 or 1.2 reads as booleans or null. */
    private static final Set<String> RESERVED = Set.of("true", "false", "null", "yes", "no", "on", "off", "y", "n");

    private Yaml() {}

    /** {@return {@code node} as a YAML document, ending with a line break} */
    public static String write(JsonNode node) {
        StringBuilder out = new StringBuilder();
        if (node.isContainerNode() && !node.isEmpty()) {
            block(node, 0, out);
        } else {
            out.append(scalar(node)).append('\n');
        }
        return out.toString();
    }

    private static void block(JsonNode node, int indent, StringBuilder out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.append(" ".repeat(indent)).append(string(e.getKey())).append(':');
                JsonNode value = e.getValue();
                if (value.isContainerNode() && !value.isEmpty()) {
                    out.append('\n');
                    block(value, indent + 2, out);
                } else if (isLiteral(value)) {
                    literal(value.textValue(), indent + 2, out);
                } else {
                    out.append(' ').append(scalar(value)).append('\n');
                }
            }
            return;
        }
        for (JsonNode item : node) {
            out.append(" ".repeat(indent)).append("- ");
            if (item.isContainerNode() && !item.isEmpty()) {
                // The item's block at the next level, its first line moved up behind the dash.
                StringBuilder inner = new StringBuilder();
                block(item, indent + 2, inner);
                out.append(inner, indent + 2, inner.length());
            } else if (isLiteral(item)) {
                out.setLength(out.length() - 1); // "-" then " |-", not "-  |-"
                literal(item.textValue(), indent + 2, out);
            } else {
                out.append(scalar(item)).append('\n');
            }
        }
    }

    private static boolean isLiteral(JsonNode node) {
        return node.isTextual() && LITERAL.matcher(node.textValue()).matches();
    }

    /** Writes {@code text} as a literal block whose lines are indented by {@code indent}. */
    private static void literal(String text, int indent, StringBuilder out) {
        out.append(" |-\n");
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.append(" ".repeat(indent)).append(line);
            }
            out.append('\n');
        }
    }

    private static String scalar(JsonNode node) {
        if (node.isTextual()) {
            return string(node.textValue());
        }
        if (node.isObject()) {
            return "{}";
        }
        if (node.isArray()) {
            return "[]";
        }
        // null, booleans and numbers: their JSON text is the YAML one.
        return node.toString();
    }

    private static String string(String s) {
        if (PLAIN.matcher(s).matches() && !RESERVED.contains(s.toLowerCase(java.util.Locale.ROOT))) {
            return s;
        }
        return Json.write(s);
    }
}

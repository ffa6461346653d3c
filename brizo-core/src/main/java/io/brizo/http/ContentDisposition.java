package io.brizo.http;

import java.nio.charset.StandardCharsets;

/** Builds {@code Content-Disposition} values that are safe whatever the file name holds. */
final class ContentDisposition {
    private ContentDisposition() {}

    /**
     * {@return {@code attachment} with an ASCII {@code filename} and, when the name is not plain
     * ASCII, an RFC 8187 {@code filename*}}
     */
    static String attachment(String name) {
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean safe = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/' && c != ';' && c != '%';
            ascii.append(safe ? c : '_');
            plain &= safe;
        }
        String fallback = ascii.length() == 0 ? "download" : ascii.toString();
        if (plain) {
            return "attachment; filename=\"" + fallback + "\"";
        }
        StringBuilder encoded = new StringBuilder();
        percentEncode(name, "!#$&+-.^_`|~", encoded);
        return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
    }

    /**
     * Appends {@code text} as UTF-8 bytes, percent-encoding every byte but ASCII letters, digits
     * and the characters of {@code safe}.
     */
    static void percentEncode(String text, String safe, StringBuilder out) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || safe.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}

package io.brizo.spi;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code Content-Range} header of a single-part response (RFC 9110 section 14.4):
 * {@code bytes first-last/complete}, {@code bytes first-last/*} or {@code bytes *}{@code /complete}.
 * The one parser drivers use to check what a store answered to a ranged read.
 *
 * @param first the first byte, or -1 for an unsatisfied range ({@code bytes *}{@code /n})
 * @param last the last byte, inclusive, or -1 for an unsatisfied range
 * @param total the complete length, or -1 if the server does not know it ({@code /*})
 */
public record ContentRange(long first, long last, long total) {
    private static final Pattern SATISFIED = Pattern.compile("bytes\\s+(\\d{1,19})-(\\d{1,19})/(\\d{1,19}|\\*)");
    private static final Pattern UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d{1,19})");

    /** {@return the parsed header, or empty if it is absent or malformed} */
    public static Optional<ContentRange> parse(String header) {
        return Optional.ofNullable(parseOrNull(header));
    }

    /** {@return whether this is an unsatisfied range ({@code bytes *}{@code /n})} */
    public boolean unsatisfied() {
        return first < 0;
    }

    private static ContentRange parseOrNull(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        try {
            Matcher m = SATISFIED.matcher(h);
            if (m.matches()) {
                long first = Long.parseLong(m.group(1));
                long last = Long.parseLong(m.group(2));
                long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
                if (last < first || (total >= 0 && last >= total)) {
                    return null;
                }
                return new ContentRange(first, last, total);
            }
            Matcher u = UNSATISFIED.matcher(h);
            if (u.matches()) {
                return new ContentRange(-1, -1, Long.parseLong(u.group(1)));
            }
        } catch (NumberFormatException e) {
            return null; // more digits than a long holds
        }
        return null;
    }
}

package io.brizo.storage.ipfs;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code ipfs://<cid>[/path/inside/a/directory]} location. Immutable.
 *
 * @param root the CID in the authority
 * @param path the path's segments, percent-decoded, none empty
 */
record IpfsLocation(Cid root, List<String> path) {
    IpfsLocation {
        path = List.copyOf(path);
    }

    /** {@return whether {@code location} has the {@code ipfs} scheme} */
    static boolean isIpfs(URI location) {
        return location != null
                && location.getScheme() != null
                && location.getScheme().toLowerCase(Locale.ROOT).equals("ipfs");
    }

    /**
     * {@return the location's CID and path}
     *
     * @throws io.brizo.spi.BrizoException of kind CONFIGURATION if it is not a valid ipfs URL
     */
    static IpfsLocation parse(URI location) {
        // The raw authority, not getHost(): a CID is no host name, and base58 is case-sensitive.
        if (!isIpfs(location) || location.isOpaque() || location.getRawAuthority() == null) {
            throw IpfsErrors.invalidLocation();
        }
        Cid root;
        try {
            root = Cid.parse(location.getRawAuthority());
        } catch (MalformedDataException e) {
            throw IpfsErrors.invalidLocation();
        }
        List<String> segments = new ArrayList<>();
        String rawPath = location.getRawPath();
        if (rawPath != null) {
            for (String raw : rawPath.split("/", -1)) {
                if (raw.isEmpty()) {
                    continue; // leading, trailing and doubled slashes, as gateways treat them
                }
                String segment;
                try {
                    // URLDecoder is for forms: a '+' in a path is a plus sign, not a space.
                    segment = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw IpfsErrors.invalidLocation();
                }
                if (segment.equals(".") || segment.equals("..") || segment.indexOf('/') >= 0) {
                    throw IpfsErrors.invalidLocation();
                }
                segments.add(segment);
            }
        }
        return new IpfsLocation(root, segments);
    }
}

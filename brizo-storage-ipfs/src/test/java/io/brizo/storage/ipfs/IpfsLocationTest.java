package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpfsLocationTest {
    private static final String V0 = CidTest.HELLO_V0;

    @Test
    void parsesTheCidFromTheAuthorityKeepingItsCase() {
        IpfsLocation l = IpfsLocation.parse(URI.create("ipfs://" + V0));
        assertEquals(Cid.parse(V0), l.root());
        assertEquals(List.of(), l.path());
        assertEquals(
                Cid.parse(V0),
                IpfsLocation.parse(URI.create("IPFS://" + V0 + "/")).root());
    }

    @Test
    void splitsAndPercentDecodesThePathIgnoringEmptySegments() {
        IpfsLocation l = IpfsLocation.parse(URI.create("ipfs://" + V0 + "//sub/a%20b+c%C3%A9.txt/"));
        assertEquals(List.of("sub", "a b+cé.txt"), l.path());
    }

    @Test
    void recognisesOnlyTheIpfsScheme() {
        assertTrue(IpfsLocation.isIpfs(URI.create("ipfs://" + V0)));
        assertTrue(IpfsLocation.isIpfs(URI.create("IpFs://" + V0)));
        assertFalse(IpfsLocation.isIpfs(URI.create("ipns://example.org")));
        assertFalse(IpfsLocation.isIpfs(URI.create("/ipfs/" + V0)));
        assertFalse(IpfsLocation.isIpfs(null));
    }

    @Test
    void refusesLocationsThatAreNotACidAndAPlainPath() {
        for (String bad : List.of(
                "ipfs://x",
                "ipfs:" + V0,
                "ipfs:///" + V0,
                "ipfs://" + V0 + "/..",
                "ipfs://" + V0 + "/a/./b",
                "ipfs://" + V0 + "/a%2Fb",
                "ipns://" + V0)) {
            BrizoException e = assertThrows(BrizoException.class, () -> IpfsLocation.parse(URI.create(bad)), bad);
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertFalse(e.getMessage().contains(V0));
        }
    }
}

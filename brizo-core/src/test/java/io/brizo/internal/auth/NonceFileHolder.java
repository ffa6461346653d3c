package io.brizo.internal.auth;

import io.brizo.auth.NonceStore;
import java.io.IOException;
import java.nio.file.Path;

/** Run in a child JVM: holds a nonce file open until its standard input closes. */
final class NonceFileHolder {
    private NonceFileHolder() {}

    public static void main(String[] args) throws IOException {
        NonceStore store = NonceStore.file(Path.of(args[0]));
        try {
            System.out.println("open");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        } finally {
            store.close();
        }
    }
}

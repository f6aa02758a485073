package io.sim2real.contracts;

/** Versions of the wire format. A consumer dead-letters any version it does not know. */
public final class SchemaVersion {

    public static final int CURRENT = 1;

    private SchemaVersion() {
    }

    public static boolean isKnown(int version) {
        return version == CURRENT;
    }
}

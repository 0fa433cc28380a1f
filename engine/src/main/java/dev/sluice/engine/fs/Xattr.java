package dev.sluice.engine.fs;

import java.util.Arrays;
import java.util.Objects;

/**
 * One extended attribute: its full name including the namespace (for example
 * {@code user.comment}) and its value as raw bytes; equality compares the value's content.
 */
public record Xattr(String name, byte[] value) {

    public Xattr {
        Objects.requireNonNull(name, "xattr name");
        Objects.requireNonNull(value, "value of xattr " + name);
        int dot = name.indexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            throw new IllegalArgumentException("xattr name '" + name + "' must be namespace.name, e.g. user.comment");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("xattr name '" + name + "' contains a NUL character");
        }
        value = value.clone();
    }

    /** The namespace part of the name ("user" for "user.comment"). */
    public String namespace() {
        return name.substring(0, name.indexOf('.'));
    }

    /** The name without its namespace ("comment" for "user.comment"). */
    public String localName() {
        return name.substring(name.indexOf('.') + 1);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xattr x && name.equals(x.name) && Arrays.equals(value, x.value);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Xattr[" + name + "=" + RawPath.escape(value) + "]";
    }
}

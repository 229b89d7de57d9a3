package dev.perfusion.core.safetensors;

import java.util.Optional;

/** The element types of the safetensors format, named as in its header. */
public enum DType {
    BOOL(1), U8(1), I8(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4), I64(8), U64(8), F64(8);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether {@link SafeTensorsReader#readFloats} converts this type. */
    public boolean isFloating() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** The type of a header name, such as "F16". */
    public static Optional<DType> byName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

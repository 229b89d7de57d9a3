package dev.perfusion.djl.nn;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.perfusion.djl.DjlRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tensor function written as one TorchScript expression, to reach PyTorch operators that DJL's NDArray API lacks
 * (fused attention, group norm, SiLU) in a single native call. The function is compiled by libtorch from a module
 * archive written in memory, laid out as {@code torch.jit.save} writes one; no Python is involved. Functions are
 * compiled once per process and shared; gradients flow through them while a DJL gradient collector records.
 */
public final class TorchScriptFunction {

    private static final Map<String, TorchScriptFunction> COMPILED = new ConcurrentHashMap<>();
    private static final String CLASS = "Function";

    private final PtSymbolBlock module;
    private final int arity;

    private TorchScriptFunction(PtSymbolBlock module, int arity) {
        this.module = module;
        this.arity = arity;
    }

    /**
     * The function {@code (parameters...) -> expression} of tensors, compiled on first request.
     *
     * @param parameters names of the tensor parameters, in call order
     * @param expression a TorchScript expression of them, such as {@code torch.silu(x)}
     */
    public static TorchScriptFunction of(List<String> parameters, String expression) {
        String source = source(parameters, expression);
        return COMPILED.computeIfAbsent(source, s -> new TorchScriptFunction(compile(s), parameters.size()));
    }

    /** Applies the function; the result is attached to the first input's manager. */
    public NDArray apply(NDArray... inputs) {
        if (inputs.length != arity) {
            throw new IllegalArgumentException("the function takes " + arity + " tensors, got " + inputs.length);
        }
        return IValueUtils.forward(module, new NDList(inputs), true).singletonOrThrow();
    }

    private static String source(List<String> parameters, String expression) {
        StringBuilder s = new StringBuilder();
        s.append("class ").append(CLASS).append("(Module):\n");
        s.append("  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        s.append("  def forward(self: __torch__.").append(CLASS);
        for (String parameter : parameters) {
            s.append(", ").append(parameter).append(": Tensor");
        }
        s.append(") -> Tensor:\n    return ").append(expression).append('\n');
        return s.toString();
    }

    private static PtSymbolBlock compile(String source) {
        PtNDManager owner = (PtNDManager) DjlRuntime.engine().newBaseManager(Device.cpu());
        try {
            return JniUtils.loadModule(owner, new ByteArrayInputStream(archive(source)), false, false);
        } catch (IOException e) {
            owner.close();
            throw new UncheckedIOException("cannot write the TorchScript archive of:\n" + source, e);
        } catch (EngineException e) {
            owner.close();
            throw new IllegalArgumentException("libtorch cannot compile this TorchScript:\n" + source + "\n"
                    + e.getMessage(), e);
        }
    }

    /** The module archive: the source, and the pickled state of one instance, {@code {"training": False}}. */
    static byte[] archive(String source) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "function/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            put(zip, "function/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            put(zip, "function/constants.pkl", Pickle.emptyTuple());
            put(zip, "function/data.pkl", Pickle.untrainedInstance("__torch__", CLASS));
            put(zip, "function/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    /** The two pickles (protocol 2) of a parameterless module archive. */
    private static final class Pickle {

        private static final int PROTO = 0x80;
        private static final int GLOBAL = 'c';
        private static final int EMPTY_TUPLE = ')';
        private static final int NEWOBJ = 0x81;
        private static final int EMPTY_DICT = '}';
        private static final int BINUNICODE = 'X';
        private static final int NEWFALSE = 0x89;
        private static final int SETITEM = 's';
        private static final int BUILD = 'b';
        private static final int STOP = '.';

        static byte[] emptyTuple() {
            return new byte[] {(byte) PROTO, 2, EMPTY_TUPLE, STOP};
        }

        static byte[] untrainedInstance(String module, String className) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(PROTO);
            out.write(2);
            out.write(GLOBAL);
            out.writeBytes((module + "\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(EMPTY_TUPLE);
            out.write(NEWOBJ);
            out.write(EMPTY_DICT);
            byte[] key = "training".getBytes(StandardCharsets.UTF_8);
            out.write(BINUNICODE);
            out.write(key.length);
            out.write(0);
            out.write(0);
            out.write(0);
            out.writeBytes(key);
            out.write(NEWFALSE);
            out.write(SETITEM);
            out.write(BUILD);
            out.write(STOP);
            return out.toByteArray();
        }
    }
}

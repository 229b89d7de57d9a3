package dev.perfusion.djl.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perfusion.djl.testing.EngineScope;
import dev.perfusion.djl.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TorchScriptFunctionTest {

    @RegisterExtension
    static final EngineScope ENGINE = new EngineScope();

    @Test
    void computesItsExpressionOfTheInputsInOrder() {
        TorchScriptFunction f = TorchScriptFunction.of(List.of("a", "b"), "a * 2.0 - b");
        NDArray a = ENGINE.manager().create(new float[] {1, 2, 3});
        NDArray b = ENGINE.manager().create(new float[] {10, 20, 30});

        assertThat(f.apply(a, b).toFloatArray()).containsExactly(-8, -16, -24);
        assertThat(f.apply(b, a).toFloatArray()).containsExactly(19, 38, 57);
    }

    @Test
    void attachesTheResultToTheFirstInputsManager() {
        try (NDManager scope = ENGINE.manager().newSubManager()) {
            NDArray x = scope.ones(new Shape(2));

            assertThat(Activations.silu(x).getManager()).isSameAs(scope);
        }
    }

    @Test
    void isCompiledOncePerExpression() {
        assertThat(TorchScriptFunction.of(List.of("x"), "torch.relu(x)"))
                .isSameAs(TorchScriptFunction.of(List.of("x"), "torch.relu(x)"));
    }

    @Test
    void groupNormEqualsTheDefinitionPerGroup() {
        NDArray x = ENGINE.manager().randomNormal(new Shape(2, 6, 3, 3));
        NDArray weight = ENGINE.manager().randomNormal(new Shape(6));
        NDArray bias = ENGINE.manager().randomNormal(new Shape(6));

        NDArray grouped = x.reshape(2, 3, 18);
        NDArray mean = grouped.mean(new int[] {2}, true);
        NDArray variance = grouped.sub(mean).square().mean(new int[] {2}, true);
        NDArray expected = grouped.sub(mean).div(variance.add(1e-5).sqrt()).reshape(2, 6, 3, 3)
                .mul(weight.reshape(1, 6, 1, 1)).add(bias.reshape(1, 6, 1, 1));
        GroupNorm norm = new GroupNorm(3, 1e-5, weight, bias);

        assertThat(Fixtures.maxRelativeError(norm.forward(x), expected)).isLessThan(1e-5);
        NDArray silu = expected.mul(ai.djl.nn.Activation.sigmoid(expected));
        assertThat(Fixtures.maxRelativeError(norm.forwardSilu(x), silu)).isLessThan(1e-5);
    }

    @Test
    void refusesAWrongNumberOfInputs() {
        NDArray x = ENGINE.manager().ones(new Shape(2));

        assertThatThrownBy(() -> TorchScriptFunction.of(List.of("a", "b"), "a + b").apply(x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 2 tensors, got 1");
    }

    @Test
    void reportsTheSourceOfAnExpressionThatDoesNotCompile() {
        assertThatThrownBy(() -> TorchScriptFunction.of(List.of("x"), "torch.no_such_operator(x)"))
                .hasMessageContaining("torch.no_such_operator(x)");
    }
}

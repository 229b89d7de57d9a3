package dev.perfusion.core.world;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perfusion.api.Concept;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldOutConceptsTest {

    @Test
    void thereAreAtLeastSixWithValidNamesAndDistinctKinds() {
        assertThat(HeldOutConcepts.all()).hasSizeGreaterThanOrEqualTo(6);
        assertThat(HeldOutConcepts.all()).allMatch(c -> Concept.isValidName(c.name()));
        assertThat(HeldOutConcepts.all().stream().map(c -> c.spec().kind()).distinct().count())
                .isGreaterThanOrEqualTo(6);
    }

    @Test
    void eachResemblesNoOtherHeldOutConcept() {
        for (HeldOutConcept a : HeldOutConcepts.all()) {
            for (HeldOutConcept b : HeldOutConcepts.all()) {
                if (a != b) {
                    assertThat(b.signature().test(a.spec())).as("%s resembles %s", a.name(), b.name()).isFalse();
                }
            }
        }
    }

    @Test
    void viewsShowTheInstanceAloneWithItsMaskOnVariedBackdrops() {
        for (HeldOutConcept c : HeldOutConcepts.all()) {
            List<Rendering> views = c.views(6, 1, 64);
            assertThat(views).hasSize(6);
            assertThat(views.stream().map(v -> v.scene().backdrop()).distinct().count()).isGreaterThanOrEqualTo(4);
            for (Rendering v : views) {
                assertThat(v.scene().objects()).singleElement().satisfies(o -> assertThat(o.spec()).isEqualTo(c.spec()));
                double area = 0;
                for (float m : v.masks().get(0)) {
                    area += m;
                }
                assertThat(area).as("mask area of %s", c.name()).isBetween(80.0, 1400.0);
            }
            assertThat(c.views(6, 1, 64).get(2).rgb()).isEqualTo(views.get(2).rgb());
        }
    }
}

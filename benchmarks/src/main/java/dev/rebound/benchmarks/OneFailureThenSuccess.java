package dev.rebound.benchmarks;

/** (b) The first attempt fails with a pre-allocated exception; the retry answers. */
public class OneFailureThenSuccess extends Contenders {

    @Override
    Model newPrimary() {
        return new Subjects.FailsOnce();
    }
}

package dev.rebound.runtime.internal.chain;

/** The bottom of the chain: one attempt on the current target. */
enum Invocation implements Strategy {
    INSTANCE;

    @Override
    public Object apply(Execution call) throws Throwable {
        return call.invoker.invoke(call.instance, call.targetArgs);
    }
}

package dev.rebound.runtime.rules;

/**
 * The rules of a class named in {@code @Retry.onResult}, {@code @Fallback.onResult} (a
 * {@code java.util.function.Predicate}) or {@code @Fallback.handler} (a
 * {@code dev.rebound.runtime.FallbackHandler}): it implements its contract and is made with a public
 * no-argument constructor. The facts come from reflection (the annotation reader) or from javac's
 * model (the processor); the words come from here.
 */
public final class NamedClassRules {

    /** What {@code @Retry.onResult} and {@code @Fallback.onResult} name. */
    public static final String PREDICATE = "java.util.function.Predicate";
    /** What {@code @Fallback.handler} names. */
    public static final String HANDLER = "dev.rebound.runtime.FallbackHandler";

    private NamedClassRules() {
    }

    /**
     * The problem of class {@code className} named in {@code attribute}, or null when it is fine.
     *
     * @param implementsContract whether it implements {@code contract}
     * @param isAbstract whether it is an interface or an abstract class
     * @param publicAndStatic whether it is public and top-level or a static nested class
     * @param publicNoArgConstructor whether it has a public constructor without parameters
     */
    public static String problem(String attribute, String className, String contract, boolean implementsContract,
            boolean isAbstract, boolean publicAndStatic, boolean publicNoArgConstructor) {
        if (!implementsContract) {
            return attribute + " " + className + " does not implement " + contract;
        }
        if (isAbstract) {
            return attribute + " " + className + " is abstract";
        }
        if (!publicAndStatic) {
            return attribute + " " + className + " is not a public top-level or static nested class";
        }
        return publicNoArgConstructor ? null : attribute + " " + className + " has no public no-argument constructor";
    }
}

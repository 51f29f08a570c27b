package dev.rebound.runtime.rules;

/**
 * The rules of a class named in {@code @Retry.onResult}, {@code @Fallback.onResult} (a
 * {@code java.util.function.Predicate}) or {@code @Fallback.handler} (a
 * {@code dev.rebound.runtime.FallbackHandler}): it implements its contract and is made with a public
 * no-argument constructor. The facts come from reflection (the annotation reader) or from javac's
 * model (the processor); the words come from here, and the default resolver of {@code @Fallback.to}
 * alternatives says why it cannot make one in the same words ({@link #whyNotMade}, {@link #constructorThrew}).
 * A class named in any attribute of a policy annotation ({@code to}, {@code on}, {@code abortOn},
 * {@code skipOn}, {@code onResult}, {@code handler}) that is missing at run time is {@link #missing}.
 */
public final class NamedClassRules {

    /** What {@code @Retry.onResult} and {@code @Fallback.onResult} name. */
    public static final String PREDICATE = "java.util.function.Predicate";
    /** What {@code @Fallback.handler} names. */
    public static final String HANDLER = "dev.rebound.runtime.FallbackHandler";

    private NamedClassRules() {
    }

    /**
     * The problem of class {@code className} named in {@code attribute}, or null when it is fine:
     * {@code "@Fallback.handler app.H is abstract"}.
     *
     * @param implementsContract whether it implements {@code contract}
     * @param isInterface whether it is an interface
     * @param isAbstract whether it is an abstract class
     * @param innerClass whether it is an inner (non-static nested) class
     * @param isPublic whether it is public
     * @param publicNoArgConstructor whether it has a public constructor without parameters
     */
    public static String problem(String attribute, String className, String contract, boolean implementsContract,
            boolean isInterface, boolean isAbstract, boolean innerClass, boolean isPublic,
            boolean publicNoArgConstructor) {
        if (!implementsContract) {
            return attribute + " " + className + " does not implement " + contract;
        }
        String why = whyNotMade(className, isInterface, isAbstract, innerClass, true);
        if (why == null) { // a class that is not public: its implicit constructor is not public either
            why = isPublic ? whyNotMade(className, false, false, false, publicNoArgConstructor)
                    : className + " is not public";
        }
        return why == null ? null : attribute + " " + why;
    }

    /**
     * Why {@code className} cannot be made through a public no-argument constructor, naming it, or null
     * when it can: {@code "app.Backup is abstract"}, {@code "app.Backup is an interface"},
     * {@code "app.Backup is an inner (non-static) class"},
     * {@code "app.Backup has no public no-argument constructor"}.
     */
    public static String whyNotMade(String className, boolean isInterface, boolean isAbstract, boolean innerClass,
            boolean publicNoArgConstructor) {
        if (isInterface) {
            return className + " is an interface";
        }
        if (isAbstract) {
            return className + " is abstract";
        }
        if (innerClass) {
            return className + " is an inner (non-static) class";
        }
        return publicNoArgConstructor ? null : className + " has no public no-argument constructor";
    }

    /**
     * A constructor that threw, its exception by class name only (its message may carry anything):
     * {@code "constructor of app.Backup threw java.lang.IllegalStateException"}, the reason a class named
     * in any attribute {@link FallbackRules#cannotBeProvided cannot be provided}.
     */
    public static String constructorThrew(String className, String exceptionClass) {
        return "constructor of " + className + " threw " + exceptionClass;
    }

    /**
     * A class named in {@code attribute} that the class loader of the annotated class cannot load at run
     * time (it was there at compile time; the deployment left it out):
     * {@code "@Fallback.to app.Chat$Backup is missing at run time: the annotated class was compiled with it, but
     * its class loader cannot load it (deploy it beside the annotated class, or remove it from @Fallback.to)"}.
     * Only reflection meets it (javac reports a class that does not exist as {@code cannot find symbol}).
     */
    public static String missing(String attribute, String className) {
        return attribute + " " + className + " is missing at run time: the annotated class was compiled with it, but "
                + "its class loader cannot load it (deploy it beside the annotated class, or remove it from "
                + attribute + ")";
    }
}

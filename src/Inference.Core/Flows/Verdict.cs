namespace Inference.Core.Flows;

/// <summary>The verdicts a stored connection is counted under (values match Hubble's <c>flow.Verdict</c>).</summary>
public enum Verdict
{
    Unknown = 0,
    Forwarded = 1,
    Dropped = 2,
    Error = 3,
    Audit = 4,
    Redirected = 5,
    Traced = 6,
    Translated = 7,
}

public static class VerdictNames
{
    public static string ToWire(this Verdict verdict) => verdict switch
    {
        Verdict.Forwarded => "FORWARDED",
        Verdict.Dropped => "DROPPED",
        Verdict.Error => "ERROR",
        Verdict.Audit => "AUDIT",
        Verdict.Redirected => "REDIRECTED",
        Verdict.Traced => "TRACED",
        Verdict.Translated => "TRANSLATED",
        _ => "VERDICT_UNKNOWN",
    };

    public static Verdict Parse(string name) => name switch
    {
        "FORWARDED" => Verdict.Forwarded,
        "DROPPED" => Verdict.Dropped,
        "ERROR" => Verdict.Error,
        "AUDIT" => Verdict.Audit,
        "REDIRECTED" => Verdict.Redirected,
        "TRACED" => Verdict.Traced,
        "TRANSLATED" => Verdict.Translated,
        _ => Verdict.Unknown,
    };

    /// <summary>
    /// How strongly a verdict speaks for the whole connection when two policy decisions differ
    /// (egress allowed, ingress audited): the one that would break the connection wins.
    /// </summary>
    public static int Severity(this Verdict verdict) => verdict switch
    {
        Verdict.Dropped => 4,
        Verdict.Audit => 3,
        Verdict.Redirected => 2,
        Verdict.Forwarded => 1,
        _ => 0,
    };
}

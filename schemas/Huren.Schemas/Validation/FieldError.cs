namespace Huren.Schemas.Validation;

/// <summary>
/// One problem with one field. <see cref="Field"/> is the camelCase property name (e.g. <c>holderCode</c>, or
/// <c>body.holderCode</c> inside an entry); <see cref="Message"/> is a complete sentence that starts with the
/// field name, e.g. <c>holderCode: must be empty for holder code type 111</c>, so it can be shown as it is.
/// </summary>
/// <param name="Field">The camelCase name of the field at fault.</param>
/// <param name="Message">The whole message, starting with <c>&lt;field&gt;: </c>.</param>
public sealed record FieldError(string Field, string Message)
{
    /// <summary>Makes the error for <paramref name="field"/>, prefixing <paramref name="problem"/> with the field name.</summary>
    public static FieldError Of(string field, string problem) => new(field, $"{field}: {problem}");

    /// <summary>The same error, for a field nested under <paramref name="parent"/> (e.g. <c>body</c>).</summary>
    public FieldError Under(string parent) => new($"{parent}.{Field}", $"{parent}.{Message}");

    /// <summary>The message.</summary>
    public override string ToString() => Message;
}

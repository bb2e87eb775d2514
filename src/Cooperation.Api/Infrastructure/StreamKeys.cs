namespace Cooperation.Api.Infrastructure;

/// <summary>
/// All streams share one event store keyed by strings; the kind prefix keeps a contract id and a
/// telephony call id from ever naming the same stream (ADR 0003).
/// </summary>
public static class StreamKeys
{
    public const string ContractPrefix = "contract:";

    public const string CallPrefix = "call:";

    public const string ReferralPrefix = "referral:";

    public const string AppointmentPrefix = "appointment:";

    public const string InvoicePrefix = "invoice:";

    public static string Contract(string contractId) => ContractPrefix + contractId;

    public static string Call(string callId) => CallPrefix + callId;

    public static string Referral(string referralId) => ReferralPrefix + referralId;

    public static string Appointment(string appointmentId) => AppointmentPrefix + appointmentId;

    public static string Invoice(string invoiceId) => InvoicePrefix + invoiceId;
}

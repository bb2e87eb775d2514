using System.Text.Json.Nodes;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>Request bodies as other systems send them: literal JSON of the API contract.</summary>
public static class ContractRequests
{
    /// <summary>The Bochum/Castrop-Rauxel contract of the API contract, with a valid Leitweg-ID and IBAN.</summary>
    public static JsonObject Sign(string contractId, string provider = "bochum", string client = "castrop-rauxel") =>
        JsonNode.Parse($$"""
        {
          "contractId": "{{contractId}}",
          "provider": { "id": "{{provider}}", "name": "Stadt Bochum", "invoicePrefix": "BO",
                        "street": "Willy-Brandt-Platz 2-6", "postalCode": "44777", "city": "Bochum",
                        "iban": "DE86430500010000000000", "contactEmail": "servicecenter@bochum.de",
                        "contactName": "Servicecenter Bochum", "contactPhone": "+49 234 910-0" },
          "client":   { "id": "{{client}}", "name": "Stadt Castrop-Rauxel", "state": "NW",
                        "leitwegId": "05916004-0001-21",
                        "street": "Europaplatz 1", "postalCode": "44575", "city": "Castrop-Rauxel" },
          "annualFee": 180000.00,
          "startsOn": "2020-11-02",
          "endsOn": null,
          "serviceLines": [ { "code": "buergerbuero", "name": "Bürgerbüro", "from": "2020-11-02" } ],
          "openingHours": { "days": ["mon","tue","wed","thu","fri"], "opens": "08:00", "closes": "18:00" },
          "closureDays": [],
          "kpiSettings": { "serviceLevelSeconds": 30, "shortAbandonSeconds": 10,
                           "serviceLevelTargetPercent": 75, "firstContactResolutionTargetPercent": 80 },
          "vat": "not-subject"
        }
        """)!.AsObject();

    /// <summary>A copy of <paramref name="body"/> with the member at a dotted path set (null: JSON null).</summary>
    public static JsonObject With(this JsonObject body, string path, JsonNode? value) => Edit(body, path, value, remove: false);

    /// <summary>A copy of <paramref name="body"/> without the member at a dotted path.</summary>
    public static JsonObject Without(this JsonObject body, string path) => Edit(body, path, null, remove: true);

    private static JsonObject Edit(JsonObject body, string path, JsonNode? value, bool remove)
    {
        var copy = body.DeepClone().AsObject();
        var parts = path.Split('.');
        var target = copy;
        foreach (var part in parts[..^1])
        {
            target = target[part]!.AsObject();
        }

        if (remove)
        {
            target.Remove(parts[^1]);
        }
        else
        {
            target[parts[^1]] = value;
        }

        return copy;
    }
}

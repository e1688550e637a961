#!/bin/sh
# A Cashfree adapter in POSIX sh + curl, run through payconform's scenarios from outside Python.
#
#   payconform serve cashfree --judge --port 8700 &        # prints http://127.0.0.1:8700/pg
#   sh examples/adapters/shell/cashfree_adapter.sh http://127.0.0.1:8700/pg outcomes.json
#   payconform judge --url http://127.0.0.1:8700/pg --outcomes outcomes.json
#
# The adapter part is create_link and cancel_link: the documented headers, one
# x-idempotency-key per cancel reused on its own retries, Retry-After honoured, no retry of a
# refusal. The driver part reads the scenario plan, marks each scenario's start, hands the new
# link to the simulator (which sets its status or arms a fault) and writes the outcome of each
# cancel to OUTCOMES_FILE. PAYCONFORM_EXAMPLE_BUG=no-api-version plants a bug (the cancel
# forgets x-api-version) to see the judge report it.
set -eu

BASE=${1:?usage: cashfree_adapter.sh BASE_URL OUTCOMES_FILE}
OUT=${2:?usage: cashfree_adapter.sh BASE_URL OUTCOMES_FILE}
CONTROL="$BASE/_simulator"
CLIENT_ID=${CASHFREE_CLIENT_ID:-TEST-payconform-sim-app-id}
CLIENT_SECRET=${CASHFREE_CLIENT_SECRET:-TEST-payconform-sim-secret}
BUG=${PAYCONFORM_EXAMPLE_BUG:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

new_uuid() {
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' |
        sed 's/^\(........\)\(....\)\(....\)\(....\)\(............\)$/\1-\2-\3-\4-\5/'
}

control() {  # control METHOD PATH [JSON]
    body=${3:-}
    [ -n "$body" ] || body='{}'
    curl -sf -X "$1" -H 'Content-Type: application/json' -d "$body" "$CONTROL$2" > /dev/null
}

create_link() {  # prints the new link id
    link="sh_$(new_uuid | tr -d '-' | cut -c1-12)"
    code=$(curl -s -o "$TMP/body" -w '%{http_code}' --max-time 5 -X POST "$BASE/links" \
        -H "x-client-id: $CLIENT_ID" -H "x-client-secret: $CLIENT_SECRET" \
        -H 'x-api-version: 2025-01-01' -H 'Content-Type: application/json' \
        -d "{\"link_id\": \"$link\", \"link_amount\": 100, \"link_currency\": \"INR\", \"link_purpose\": \"sh check\", \"customer_details\": {\"customer_phone\": \"9999999999\"}}")
    [ "$code" = 200 ] || { echo "create failed: HTTP $code" >&2; return 1; }
    echo "$link"
}

cancel_link() {  # cancel_link LINK_ID CLIENT_ID CLIENT_SECRET -> prints an outcome name
    key=$(new_uuid)
    version='x-api-version: 2025-01-01'
    [ "$BUG" = no-api-version ] && version='x-payconform-bug: no-api-version'
    attempt=0
    while :; do
        attempt=$((attempt + 1))
        code=$(curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' --max-time 5 -X POST \
            -H "x-client-id: $2" -H "x-client-secret: $3" -H "$version" \
            -H "x-idempotency-key: $key" "$BASE/links/$1/cancel") || code=000
        wait=
        case $code in
            000|5??) wait=1 ;;
            429) wait=$(tr -d '\r' < "$TMP/head" | sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9][0-9]*\).*/\1/p') ;;
        esac
        if [ -n "$wait" ] && [ "$attempt" -lt 3 ]; then
            sleep "$wait"
            continue
        fi
        break
    done
    case $code in
        200) echo CANCELLED ;;
        429) echo RATE_LIMITED ;;
        000|5??) echo PROVIDER_ERROR ;;
        401) echo UNAUTHORIZED ;;
        *)
            if grep -q '"code": *"link_not_active"' "$TMP/body"; then echo NOT_CANCELLABLE
            elif grep -q '"code": *"link_not_found"' "$TMP/body" || [ "$code" = 404 ]; then echo NOT_FOUND
            else echo INVALID_REQUEST
            fi ;;
    esac
}

curl -sf "$CONTROL/scenarios.txt" > "$TMP/plan"
printf '{"provider": "cashfree", "outcomes": {' > "$OUT"
sep=
tab=$(printf '\t')
while IFS=$tab read -r id create cancel_id credentials; do
    control POST "/scenarios/$id/begin"
    if [ "$create" = create ]; then
        link=$(create_link)
        control POST "/scenarios/$id/link" "{\"link_id\": \"$link\"}"
    else
        link=$cancel_id
    fi
    if [ "$credentials" = wrong ]; then
        outcome=$(cancel_link "$link" "wrong-$CLIENT_ID" "wrong-$CLIENT_SECRET")
    else
        outcome=$(cancel_link "$link" "$CLIENT_ID" "$CLIENT_SECRET")
    fi
    printf '%s"%s": "%s"' "$sep" "$id" "$outcome" >> "$OUT"
    sep=', '
done < "$TMP/plan"
printf '}}\n' >> "$OUT"

// delivery_request.h — a stored delivery read back as the request its connector is given: the
// operation JSON the pipeline stored ({"family", "operation", "args", "key_field"}) plus the
// payload, idempotency key and trace context.
// Pipeline position: store → here → Connector::deliver(), inside the dispatcher.
#pragma once

#include <string>
#include <variant>

#include "runtime/host/connectors/connector.h"
#include "runtime/host/store/store.h"

namespace suture::host {

// The request, or why the stored operation is not one (which no retry can fix).
std::variant<DeliveryRequest, std::string> request_for(const StoredDelivery& delivery);

}  // namespace suture::host

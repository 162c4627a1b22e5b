-- Electronic certificates (电子证照, issue 15 part 5). Each approval
-- department signs with its own SM2 key, generated on first issuance; the
-- private key is kept sealed with the platform's field key.
CREATE TABLE approval_dept_keys (
  department_org_id BIGINT NOT NULL PRIMARY KEY,
  key_id VARCHAR(64) NOT NULL,
  public_pem TEXT NOT NULL,
  private_sealed TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL
) {{table}};

-- One certificate per approved case. body is the signed JSON content;
-- signature covers CertificateLabel ‖ body ‖ "\n" ‖ pdf_sm3. state: valid
-- or revoked (expiry is read from valid_until).
CREATE TABLE approval_certificates (
  id {{id}},
  cert_no VARCHAR(64) NOT NULL UNIQUE,
  case_id BIGINT NOT NULL UNIQUE,
  department_org_id BIGINT NOT NULL,
  applicant_user_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  key_id VARCHAR(64) NOT NULL,
  signature TEXT NOT NULL,
  pdf_key VARCHAR(255) NOT NULL,
  pdf_sm3 VARCHAR(64) NOT NULL,
  valid_until DATETIME(3) NOT NULL,
  state VARCHAR(8) NOT NULL,
  revoked_reason TEXT NOT NULL,
  revoked_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL
) {{table}};

"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 02:48:50.864335
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("tax_number", sa.String(length=11), nullable=False),
        sa.Column("tax_office", sa.String(length=100), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("group_code", sa.String(length=32), nullable=False),
        sa.Column("sector_code", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("risk_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "routing",
            sa.Enum("contacts", "department", name="routing", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("department_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("code", name=op.f("uq_account_code")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_group_code"), ["group_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_title"), ["title"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "accountant", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("from_address", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("smtp_host", sa.String(length=200), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=True),
        sa.Column(
            "smtp_security",
            sa.Enum("starttls", "tls", "none", name="smtpsecurity", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("smtp_login", sa.String(length=200), nullable=False),
        sa.Column("smtp_password_ref", sa.String(length=400), nullable=False),
        sa.Column("imap_host", sa.String(length=200), nullable=False),
        sa.Column("imap_port", sa.Integer(), nullable=True),
        sa.Column(
            "imap_security",
            sa.Enum("starttls", "tls", "none", name="smtpsecurity", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("imap_login", sa.String(length=200), nullable=False),
        sa.Column("imap_password_ref", sa.String(length=400), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("login", name=op.f("uq_app_user_login")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_login", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("tax_office", sa.String(length=100), nullable=False),
        sa.Column("tax_number", sa.String(length=11), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("city", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("logo_text", sa.String(length=200), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )
    op.create_table(
        "working_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("default_currency", sa.String(length=3), nullable=False),
        sa.Column("answer_period_days", sa.Integer(), nullable=False),
        sa.Column("reminder_days_before", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("partial_shipment", sa.Boolean(), nullable=False),
        sa.Column("invoice_copies", sa.Integer(), nullable=False),
        sa.Column("approve_by_risk", sa.Boolean(), nullable=False),
        sa.Column("approve_by_due_date", sa.Boolean(), nullable=False),
        sa.Column("approve_by_ageing", sa.Boolean(), nullable=False),
        sa.Column("ageing_days", sa.Integer(), nullable=True),
        sa.Column("due_track_types", sa.String(length=200), nullable=False),
        sa.Column("due_track_days", sa.Integer(), nullable=True),
        sa.Column("due_track_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column(
            "due_track_action",
            sa.Enum("continue", "warn", "stop", name="ruleaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("close_check_days", sa.Integer(), nullable=True),
        sa.Column(
            "close_check_action",
            sa.Enum("continue", "warn", "stop", name="ruleaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_settings")),
    )
    op.create_table(
        "account_parameters",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("partial_shipment", sa.Boolean(), nullable=False),
        sa.Column("invoice_copies", sa.Integer(), nullable=False),
        sa.Column("approve_by_risk", sa.Boolean(), nullable=False),
        sa.Column("approve_by_due_date", sa.Boolean(), nullable=False),
        sa.Column("approve_by_ageing", sa.Boolean(), nullable=False),
        sa.Column("ageing_days", sa.Integer(), nullable=True),
        sa.Column("due_track_types", sa.String(length=200), nullable=False),
        sa.Column("due_track_days", sa.Integer(), nullable=True),
        sa.Column("due_track_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column(
            "due_track_action",
            sa.Enum("continue", "warn", "stop", name="ruleaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("close_check_days", sa.Integer(), nullable=True),
        sa.Column(
            "close_check_action",
            sa.Enum("continue", "warn", "stop", name="ruleaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_parameters_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_parameters")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("receives_reconciliation", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_contact_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_account_id"), ["account_id"], unique=False)

    op.create_table(
        "movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column(
            "doc_type",
            sa.Enum(
                "sales_invoice",
                "purchase_invoice",
                "sales_order_paid",
                "cash",
                "account_voucher",
                "bank",
                "export",
                "opening",
                name="documenttype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("doc_no", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("debit", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("credit", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fx_rate", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("settled", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_movement_account_id_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movement")),
    )
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_movement_balance",
            ["account_id", "currency", "date", "debit", "credit"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.drop_index("ix_movement_balance")

    op.drop_table("movement")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_account_id"))

    op.drop_table("contact")
    op.drop_table("account_parameters")
    op.drop_table("working_settings")
    op.drop_table("company")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("app_user")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_title"))
        batch_op.drop_index(batch_op.f("ix_account_group_code"))
        batch_op.drop_index(batch_op.f("ix_account_city"))

    op.drop_table("account")

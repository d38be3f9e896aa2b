"""People, their expertise, teams and who belongs to which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.domain.vocabulary import MembershipRole
from warroom.store.base import Base, BigId, UtcDateTime, enum_column_type, one_of


class Person(Base):
    """Someone who can be paged. ``handle`` is also their database login on PostgreSQL."""

    __tablename__ = "people"
    __table_args__ = (CheckConstraint("handle <> ''", name="handle_not_empty"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    expertise: Mapped[list[PersonExpertise]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonExpertise.tag"
    )
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class PersonExpertise(Base):
    """A subject a person can be called in for: ``database``, ``network``, ``front-end``…"""

    __tablename__ = "person_expertise"
    __table_args__ = (UniqueConstraint("person_id", "tag"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(64), index=True)

    person: Mapped[Person] = relationship(back_populates="expertise")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class TeamMembership(Base):
    __tablename__ = "team_memberships"
    __table_args__ = (UniqueConstraint("team_id", "person_id"), one_of("role", MembershipRole))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(enum_column_type(MembershipRole), default="member")

    team: Mapped[Team] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(back_populates="memberships")
